import Foundation
import SC2Engine

/// Computes the missing directions of one attribute on a background thread: the original
/// (InterFaceGAN) and conditional ones from a cached `SampleSet` through `DirectionBuilder`,
/// the corrected one through `CorrectedDirections.provider`. Poll `snapshot()` for progress.
final class DirectionJob: @unchecked Sendable {
    /// Seeds and truncation of the sample set the explorer fits directions on: the defaults of
    /// `sc2gan directions` / `correct` (EngineOptions), so both share one cached set under
    /// the cache folder the program gives (sc2gan: its cache folder) and a second attribute costs no generation.
    static let sampleSeeds: [UInt32] = Array(0..<UInt32(SampleSet.defaultCount))
    static let sampleTruncation: Float = 1

    struct Snapshot: Equatable, Sendable {
        var attribute: String
        var fraction: Double
        var phase: String
        var finished: Bool
    }

    /// What the job produced, taken once by the UI.
    struct Outcome: Sendable {
        var attribute: String
        var directions: [DirectionMethod: Direction] = [:]
        /// Methods that could not be computed, with the reason.
        var notes: [DirectionMethod: String] = [:]
        /// One line for the footer.
        var message: String = ""
    }

    let attribute: String
    let methods: [DirectionMethod]
    private let generator: Generator
    private let classifier: (any AttributePredictor)?
    private let library: DirectionLibrary
    private let correctedProvider: CorrectedDirectionProvider?
    private let cacheDirectory: URL?
    private let lock = NSLock()
    private var state: Snapshot
    private var outcome: Outcome?

    init(attribute: String, methods: [DirectionMethod], generator: Generator, classifier: (any AttributePredictor)?,
         library: DirectionLibrary, correctedProvider: CorrectedDirectionProvider?, cacheDirectory: URL?) {
        self.attribute = attribute
        self.methods = methods
        self.generator = generator
        self.classifier = classifier
        self.library = library
        self.correctedProvider = correctedProvider
        self.cacheDirectory = cacheDirectory
        self.state = Snapshot(attribute: attribute, fraction: 0, phase: "starting", finished: false)
    }

    func start() {
        let t = Thread { [self] in run() }
        t.name = "sc2gan-directions"
        t.qualityOfService = .utility
        t.start()
    }

    func snapshot() -> Snapshot {
        lock.lock(); defer { lock.unlock() }
        return state
    }

    /// The result once finished (nil before; returned only once).
    func takeOutcome() -> Outcome? {
        lock.lock(); defer { lock.unlock() }
        let o = outcome
        outcome = nil
        return o
    }

    private func report(_ fraction: Double, _ phase: String) {
        lock.lock()
        state.fraction = max(0, min(1, fraction))
        state.phase = phase
        lock.unlock()
    }

    private func run() {
        var out = Outcome(attribute: attribute)
        var saveErrors: [String] = []
        func save(_ d: Direction, _ m: DirectionMethod) {
            do { try library.save(d, method: m) } catch { saveErrors.append("\(error)") }
        }
        func stored(_ name: String, _ m: DirectionMethod) -> Direction? {
            guard let d = try? library.direction(attribute: name, method: m), d.vector.count == generator.config.wDim else { return nil }
            return d
        }
        let wantsBase = methods.contains(.original) || methods.contains(.conditional)
        let wantsCorrected = methods.contains(.corrected) && correctedProvider != nil
        let baseShare = wantsCorrected ? 0.5 : 1.0
        var samples: SampleSet?
        if let classifier, wantsBase || wantsCorrected {
            do {
                samples = try sampleSet(classifier: classifier, share: 0.7 * baseShare)
            } catch {
                for m in methods { out.notes[m] = "sampling failed: \(error)" }
            }
        } else if classifier == nil {
            for m in methods { out.notes[m] = "needs a predictor (--predictor)" }
        }

        if wantsBase, let samples {
            do {
                let builder = DirectionBuilder(samples: samples)
                report(0.7 * baseShare, "fitting original")
                let original = try stored(attribute, .original) ?? builder.original(attribute)
                if methods.contains(.original) {
                    out.directions[.original] = original
                    save(original, .original)
                }
                if methods.contains(.conditional) {
                    report(0.8 * baseShare, "fitting conditions")
                    let conditional = try builder.conditional(attribute, original: original) { name in
                        if let d = stored(name, .original) { return d }
                        let d = try builder.original(name)
                        save(d, .original)  // useful later, and cheap to keep
                        return d
                    }
                    out.directions[.conditional] = conditional
                    save(conditional, .conditional)
                }
            } catch {
                for m in methods where m != .corrected { out.notes[m] = "failed: \(error)" }
            }
        }

        if methods.contains(.corrected), out.notes[.corrected] == nil {
            if let provider = correctedProvider, let classifier, let samples {
                let start = 1 - baseShare
                report(start, "SC² correction")
                let ctx = CorrectionContext(
                    attribute: attribute, generator: generator, classifier: classifier, library: library, samples: samples,
                    original: out.directions[.original] ?? stored(attribute, .original),
                    progress: { [weak self] f, phase in self?.report(start + (1 - start) * f, phase) })
                do {
                    let d = try provider(ctx)
                    out.directions[.corrected] = d
                    save(d, .corrected)
                } catch {
                    out.notes[.corrected] = "correction failed: \(error)"
                }
            } else {
                out.notes[.corrected] = "run `sc2gan correct` first"
            }
        }

        var parts: [String] = []
        if !out.directions.isEmpty {
            let names = DirectionMethod.allCases.filter { out.directions[$0] != nil }.map(\.title)
            parts.append("computed \(names.joined(separator: ", ")) for \(attribute)")
            parts.append(saveErrors.isEmpty ? "saved in \(library.directory.path)" : "not saved (\(saveErrors[0]))")
        }
        for m in DirectionMethod.allCases {
            if let n = out.notes[m] { parts.append("\(m == .corrected ? "corrected" : m.title): \(n)") }
        }
        out.message = parts.joined(separator: "; ")
        lock.lock()
        state.finished = true
        state.fraction = 1
        state.phase = "done"
        outcome = out
        lock.unlock()
    }

    /// The cached sample set, built (and cached when the cache folder is writable) if needed.
    private func sampleSet(classifier: any AttributePredictor, share: Double) throws -> SampleSet {
        let seeds = DirectionJob.sampleSeeds
        let total = Double(seeds.count)
        report(0, "sampling")
        let progress: (Int) -> Void = { [weak self] done in
            self?.report(share * Double(done) / total, "sampling \(done)/\(seeds.count)")
        }
        if let dir = cacheDirectory, (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil,
           access(dir.path, W_OK) == 0 {
            return try SampleSet.cached(in: dir, generator: generator, classifier: classifier, seeds: seeds,
                                        truncation: DirectionJob.sampleTruncation, progress: progress).set
        }
        return try SampleSet.build(generator: generator, classifier: classifier, seeds: seeds,
                               truncation: DirectionJob.sampleTruncation, progress: progress)
    }
}
