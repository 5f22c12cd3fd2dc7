import Foundation
import SC2Engine
import Tensor

/// One pane's walk: a method and its direction (nil when it is not available).
struct WalkInput: Sendable {
    let method: DirectionMethod
    let direction: Direction?
    /// Fingerprint of the direction (the picture cache's key); nil when there is none.
    let id: String?
}

/// What the UI wants to see: one seed, walked `step` steps along every available direction.
/// `generation` grows with every request; the worker only ever answers the newest one.
struct RenderRequest: Sendable {
    let generation: Int
    let seed: UInt32
    let truncation: Float
    let attribute: String?
    let step: Int
    let stepSize: Float
    let walks: [WalkInput]

    /// The edit strength of `step` steps.
    func alpha(at step: Int) -> Float { Float(step) * stepSize }
    var alpha: Float { alpha(at: step) }
}

/// A generated picture and the classifier's scores for it (nil without a classifier).
struct Picture: Sendable {
    let image: RGBImage
    let scores: [Float]?
}

/// The answer to a `RenderRequest`.
struct RenderResult: Sendable {
    let request: RenderRequest
    /// The unedited seed (step 0): the baseline for the score changes.
    let base: Picture
    /// The edited picture of every method that has a direction.
    let pictures: [DirectionMethod: Picture]
    /// Time spent generating (0 when everything came from the cache).
    let seconds: Double
}

/// One latent code to render: a seed, optionally moved by `alpha` along a direction.
struct EditKey: Hashable, Sendable {
    let seed: UInt32
    let truncation: Float
    /// nil for the unedited code.
    let directionID: String?
    let alpha: Float

    /// The key of `seed` moved by `alpha` along `walk` (the unedited key when there is no move).
    init(seed: UInt32, truncation: Float, walk: WalkInput?, alpha: Float) {
        self.seed = seed
        self.truncation = truncation
        if let id = walk?.id, walk?.direction != nil, alpha != 0 {
            directionID = id
            self.alpha = alpha
        } else {
            directionID = nil
            self.alpha = 0
        }
    }
}

/// Generates and scores pictures, with a bounded cache. Not thread-safe: owned by one thread.
final class PictureMaker {
    let generator: Generator
    let classifier: AttributeClassifier?
    private var cache: [EditKey: Picture] = [:]
    private var order: [EditKey] = []
    private let capacity: Int
    private var baseCodes: [UInt64: Tensor] = [:]
    /// Images per synthesis call (batched for speed, bounded for memory).
    let batchSize = 8

    init(generator: Generator, classifier: AttributeClassifier?) {
        self.generator = generator
        self.classifier = classifier
        let bytes = generator.config.resolution * generator.config.resolution * 3
        capacity = max(16, min(4096, (256 << 20) / bytes))  // about 256 MiB of pictures
    }

    func cached(_ key: EditKey) -> Picture? { cache[key] }

    /// The W+ codes [1, numWs, wDim] of a seed after truncation (memoised).
    func baseCode(seed: UInt32, truncation: Float) -> Tensor {
        let key = UInt64(seed) << 32 | UInt64(truncation.bitPattern)
        if let t = baseCodes[key] { return t }
        let z = Tensor(shape: [1, generator.config.zDim], data: generator.z(seed: seed))
        let ws = generator.ws(z: z, truncation: truncation)
        if baseCodes.count > 256 { baseCodes.removeAll() }
        baseCodes[key] = ws
        return ws
    }

    /// Pictures for `keys` (directions looked up in `directions` by id), generating the ones
    /// not cached in batches. Returns the time spent generating.
    @discardableResult
    func make(_ keys: [EditKey], directions: [String: Direction]) -> (pictures: [EditKey: Picture], seconds: Double) {
        var out: [EditKey: Picture] = [:]
        var todo: [EditKey] = []
        for k in keys {
            if let p = cache[k] { out[k] = p } else if !todo.contains(k) { todo.append(k) }
        }
        guard !todo.isEmpty else { return (out, 0) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let nw = generator.config.numWs, d = generator.config.wDim
        for start in stride(from: 0, to: todo.count, by: batchSize) {
            let chunk = Array(todo[start..<min(start + batchSize, todo.count)])
            var batch = Tensor(zeros: [chunk.count, nw, d])
            for (i, k) in chunk.enumerated() {
                var code = baseCode(seed: k.seed, truncation: k.truncation)
                if let id = k.directionID, let dir = directions[id] {
                    code = dir.apply(to: code, alpha: k.alpha)
                }
                batch.data.replaceSubrange(i * nw * d..<(i + 1) * nw * d, with: code.data)
            }
            let images = generator.synthesis(batch)
            let pictures = Generator.pictures(images)
            let scores = classifier?.probabilities(generated: images)
            for (i, k) in chunk.enumerated() {
                let p = Picture(image: pictures[i], scores: scores?[i])
                out[k] = p
                insert(k, p)
            }
        }
        return (out, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }

    private func insert(_ k: EditKey, _ p: Picture) {
        if cache.updateValue(p, forKey: k) == nil { order.append(k) }
        if order.count > capacity {
            let drop = order.count - capacity
            for old in order.prefix(drop) { cache[old] = nil }
            order.removeFirst(drop)
        }
    }
}

/// The explorer's one background worker: renders the newest request (older ones waiting are
/// dropped), then prefetches the neighbouring steps while idle, and writes exports. The UI
/// thread only submits and polls; it never waits for the worker.
final class ExplorerWorker: @unchecked Sendable {
    private let maker: PictureMaker
    private let condition = NSCondition()
    private var pending: RenderRequest?
    private var pendingExport: ExportJob?
    private var prefetchQueue: [(RenderRequest, Int)] = []
    private var result: RenderResult?
    private var exportOutcome: ExportOutcome?
    private var stopped = false
    /// Prefetch waits until the UI has drawn the last result (so they do not share the CPU).
    private var prefetchReleased = false
    private var lastStep: Int?
    /// Whether idle time is spent on the neighbouring steps.
    let prefetch: Bool
    /// Prefetch only while one render is quick (a large model would delay the next key).
    static let prefetchBudgetSeconds = 0.25

    init(generator: Generator, classifier: AttributeClassifier?, prefetch: Bool = true) {
        maker = PictureMaker(generator: generator, classifier: classifier)
        self.prefetch = prefetch
    }

    func start() {
        let t = Thread { [self] in loop() }
        t.name = "sc2gan-render"
        t.qualityOfService = .userInteractive
        t.start()
    }

    /// Replaces whatever request is waiting with `request`.
    func submit(_ request: RenderRequest) {
        condition.lock()
        pending = request
        prefetchQueue.removeAll()
        condition.signal()
        condition.unlock()
    }

    func submitExport(_ job: ExportJob) {
        condition.lock()
        pendingExport = job
        condition.signal()
        condition.unlock()
    }

    /// The newest finished result, once.
    func takeResult() -> RenderResult? {
        condition.lock(); defer { condition.unlock() }
        let r = result
        result = nil
        return r
    }

    /// The UI has shown the newest result: idle time may now go to prefetching.
    func frameShown() {
        condition.lock()
        if !prefetchReleased {
            prefetchReleased = true
            if !prefetchQueue.isEmpty { condition.signal() }
        }
        condition.unlock()
    }

    func takeExportOutcome() -> ExportOutcome? {
        condition.lock(); defer { condition.unlock() }
        let o = exportOutcome
        exportOutcome = nil
        return o
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private enum Task {
        case render(RenderRequest)
        case export(ExportJob)
        case prefetch(RenderRequest, step: Int)
    }

    private func nextTask() -> Task? {
        condition.lock(); defer { condition.unlock() }
        while !stopped && pending == nil && pendingExport == nil && (prefetchQueue.isEmpty || !prefetchReleased) {
            condition.wait()
        }
        if stopped { return nil }
        if let r = pending { pending = nil; return .render(r) }
        if let e = pendingExport { pendingExport = nil; return .export(e) }
        let (r, s) = prefetchQueue.removeFirst()
        return .prefetch(r, step: s)
    }

    private func loop() {
        while let task = nextTask() {
            switch task {
            case .render(let r):
                let res = render(r)
                condition.lock()
                if pending == nil || pending!.generation <= r.generation {
                    result = res
                    prefetchReleased = false
                }
                if prefetch, pending == nil, res.seconds < ExplorerWorker.prefetchBudgetSeconds {
                    prefetchQueue = neighbours(of: r)
                }
                condition.unlock()
                lastStep = r.step
            case .export(let job):
                let outcome = Exporter(job: job, maker: maker).run()
                condition.lock()
                exportOutcome = outcome
                condition.unlock()
            case .prefetch(let r, let step):
                _ = maker.make(keys(for: r, step: step), directions: directionTable(r))
            }
        }
    }

    /// Steps worth rendering ahead: onwards in the direction of travel first, then back.
    private func neighbours(of r: RenderRequest) -> [(RenderRequest, Int)] {
        guard r.walks.contains(where: { $0.direction != nil }) else { return [] }
        let travel = (lastStep.map { r.step < $0 ? -1 : 1 }) ?? 1
        let steps = [r.step + travel, r.step - travel, r.step + 2 * travel]
            .filter { abs($0) <= ExplorerState.maxStep }
        return steps.map { (r, $0) }
    }

    private func directionTable(_ r: RenderRequest) -> [String: Direction] {
        var t: [String: Direction] = [:]
        for w in r.walks { if let id = w.id, let d = w.direction { t[id] = d } }
        return t
    }

    private func keys(for r: RenderRequest, step: Int) -> [EditKey] {
        [EditKey(seed: r.seed, truncation: r.truncation, walk: nil, alpha: 0)]
            + r.walks.map { EditKey(seed: r.seed, truncation: r.truncation, walk: $0, alpha: r.alpha(at: step)) }
    }

    private func render(_ r: RenderRequest) -> RenderResult {
        let base = EditKey(seed: r.seed, truncation: r.truncation, walk: nil, alpha: 0)
        let edits = r.walks.map { EditKey(seed: r.seed, truncation: r.truncation, walk: $0, alpha: r.alpha) }
        let (made, seconds) = maker.make([base] + edits, directions: directionTable(r))
        var pictures: [DirectionMethod: Picture] = [:]
        for (w, k) in zip(r.walks, edits) where w.direction != nil { pictures[w.method] = made[k] }
        return RenderResult(request: r, base: made[base]!, pictures: pictures, seconds: seconds)
    }
}
