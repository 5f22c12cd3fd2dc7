import Foundation
import SC2Engine

/// What the SC² pipeline gets when the explorer asks it for a corrected direction.
struct CorrectionContext: Sendable {
    let attribute: String
    let generator: Generator
    let classifier: AttributeClassifier
    /// Where the explorer's directions live (the original direction is there once computed).
    let library: DirectionLibrary
    /// The dense sample set the original and conditional directions were fitted on.
    let samples: SampleSet
    /// The base direction the correction starts from, when known.
    let original: Direction?
    /// Reports progress (0...1) and a short phase name; may be called from any thread.
    let progress: @Sendable (Double, String) -> Void
}

/// Computes the SC² corrected direction of one attribute (runs on a background thread).
typealias CorrectedDirectionProvider = @Sendable (CorrectionContext) throws -> Direction

/// The hook through which the explorer's `c` key reaches the SC² correction pipeline (the same
/// engine call as `sc2gan correct`, with its default options).
enum CorrectedDirections {
    static let provider: CorrectedDirectionProvider? = { ctx in
        try SC2Pipeline(generator: ctx.generator, classifier: ctx.classifier)
            .correct(attribute: ctx.attribute, dense: ctx.samples, original: ctx.original) { stage, done, total in
                ctx.progress(Double(done) / Double(max(total, 1)), "SC²: \(stage.title)")
            }.direction
    }
}

/// One pane's direction, as far as the explorer knows it.
enum DirectionSlot: Equatable, Sendable {
    /// Ready to walk. `id` identifies the vector (cache key); `note` warns, e.g. of another model.
    case available(Direction, id: String, note: String?)
    /// Not computed yet; `note` says what to do when `c` cannot help.
    case missing(note: String?)
    /// A file exists but cannot be used (corrupt, wrong dimension).
    case unusable(String)

    var direction: Direction? {
        if case .available(let d, _, _) = self { return d }
        return nil
    }

    var id: String? {
        if case .available(_, let id, _) = self { return id }
        return nil
    }
}

/// The directions of the current model: read from a `DirectionLibrary`, plus those computed in
/// this session (kept in memory too, in case the library's folder is not writable).
struct ExplorerDirectionStore {
    let library: DirectionLibrary
    let wDim: Int
    /// W+ rows of the model (a direction's `layers` must lie below).
    let numWs: Int
    let modelHash: String
    /// Directions computed in this session, by attribute and method.
    private(set) var computed: [String: [DirectionMethod: Direction]] = [:]
    /// Per attribute and method: why `c` could not compute it (shown in the pane).
    private(set) var notes: [String: [DirectionMethod: String]] = [:]

    init(library: DirectionLibrary, wDim: Int, numWs: Int, modelHash: String) {
        self.library = library
        self.wDim = wDim
        self.numWs = numWs
        self.modelHash = modelHash
    }

    /// Attributes that have at least one direction file in the library's folder.
    func attributesOnDisk() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: library.directory.path)) ?? []
        var names: [String] = []
        for f in files.sorted() where f.hasSuffix(".json") {
            let parts = f.dropLast(5).split(separator: ".")
            guard parts.count == 2, DirectionMethod(rawValue: String(parts[1])) != nil else { continue }
            let name = String(parts[0])
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The slot of every method for `attribute`.
    func slots(for attribute: String?) -> [DirectionMethod: DirectionSlot] {
        var out: [DirectionMethod: DirectionSlot] = [:]
        for m in DirectionMethod.allCases {
            out[m] = attribute.map { slot(attribute: $0, method: m) } ?? .missing(note: nil)
        }
        return out
    }

    func slot(attribute: String, method: DirectionMethod) -> DirectionSlot {
        if let d = computed[attribute]?[method] { return wrap(d) }
        do {
            guard let d = try library.direction(attribute: attribute, method: method) else {
                return .missing(note: notes[attribute]?[method])
            }
            guard d.vector.count == wDim else {
                return .unusable("has \(d.vector.count) dims, the model's w has \(wDim)")
            }
            if let bad = d.layers?.first(where: { $0 >= numWs }) {
                return .unusable("edits W+ row \(bad), the model has \(numWs)")
            }
            return wrap(d)
        } catch {
            return .unusable("unreadable: \(error)")
        }
    }

    private func wrap(_ d: Direction) -> DirectionSlot {
        var note: String?
        if let h = d.provenance["model_hash"], h != modelHash {
            note = "made for model #\(h.prefix(8))"
        }
        return .available(d, id: ExplorerDirectionStore.identity(of: d), note: note)
    }

    mutating func remember(_ d: Direction, method: DirectionMethod) {
        computed[d.attribute, default: [:]][method] = d
        notes[d.attribute]?[method] = nil
    }

    mutating func setNote(_ note: String, attribute: String, method: DirectionMethod) {
        notes[attribute, default: [:]][method] = note
    }

    /// A short content fingerprint of a direction (vector and layers): the picture cache's key.
    static func identity(of d: Direction) -> String {
        var bytes = Data()
        bytes.reserveCapacity(d.vector.count * 4 + 64)
        for v in d.vector { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes.append(contentsOf: Array("\(d.method)|\(d.layers ?? [])".utf8))
        return ContentHash.of(bytes)
    }
}

/// Computes the missing directions of one attribute on a background thread: the original
/// (InterFaceGAN) and conditional ones from a cached `SampleSet` through `DirectionBuilder`,
/// the corrected one through `CorrectedDirections.provider`. Poll `snapshot()` for progress.
final class DirectionJob: @unchecked Sendable {
    /// Seeds and truncation of the sample set the explorer fits directions on: the defaults of
    /// `sc2gan directions` / `correct` (EngineOptions), so both share one cached set under
    /// SampleSet.defaultCacheDirectory and a second attribute costs no generation.
    static let sampleSeeds: [UInt32] = Array(0..<20000)
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
    private let classifier: AttributeClassifier?
    private let library: DirectionLibrary
    private let correctedProvider: CorrectedDirectionProvider?
    private let lock = NSLock()
    private var state: Snapshot
    private var outcome: Outcome?

    init(attribute: String, methods: [DirectionMethod], generator: Generator, classifier: AttributeClassifier?,
         library: DirectionLibrary, correctedProvider: CorrectedDirectionProvider?) {
        self.attribute = attribute
        self.methods = methods
        self.generator = generator
        self.classifier = classifier
        self.library = library
        self.correctedProvider = correctedProvider
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
            for m in methods { out.notes[m] = "needs a classifier (--classifier)" }
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
                    let names = try builder.correlated(with: attribute)
                    var conditions: [Direction] = []
                    for name in names {
                        if let d = stored(name, .original) {
                            conditions.append(d)
                        } else {
                            let d = try builder.original(name)
                            save(d, .original)  // useful later, and cheap to keep
                            conditions.append(d)
                        }
                    }
                    let conditional = try ConditionalDirection.project(original, conditions: conditions)
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
    private func sampleSet(classifier: AttributeClassifier, share: Double) throws -> SampleSet {
        let seeds = DirectionJob.sampleSeeds
        let total = Double(seeds.count)
        report(0, "sampling")
        let progress: (Int) -> Void = { [weak self] done in
            self?.report(share * Double(done) / total, "sampling \(done)/\(seeds.count)")
        }
        let dir = SampleSet.defaultCacheDirectory
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if access(dir.path, W_OK) == 0 {
            return try SampleSet.cached(in: dir, generator: generator, classifier: classifier, seeds: seeds,
                                        truncation: DirectionJob.sampleTruncation, progress: progress).set
        }
        return SampleSet.build(generator: generator, classifier: classifier, seeds: seeds,
                               truncation: DirectionJob.sampleTruncation, progress: progress)
    }
}
