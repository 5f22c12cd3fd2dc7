import Foundation
import SC2Engine
import Tensor

/// The explorer's one background worker: renders the newest request (older ones waiting are
/// dropped), then prefetches the neighbouring steps while idle, and writes exports. The UI
/// thread only submits and polls; it never waits for the worker.
final class ExplorerWorker: @unchecked Sendable {
    let maker: PictureMaker
    private let condition = NSCondition()
    private var pending: RenderRequest?
    private var pendingExport: ExportJob?
    private var prefetchQueue: [(RenderRequest, Int)] = []
    /// A request whose trajectory chart still misses steps (filled after the frame is shown).
    private var trajectoryQueue: RenderRequest?
    private var trajectory: Trajectory?
    private var result: RenderResult?
    private var exportOutcome: ExportOutcome?
    private var stopped = false
    /// The worker thread has left its loop (nothing of it runs any more).
    private var exited = false
    private var started = false
    /// Prefetch waits until the UI has drawn the last result (so they do not share the CPU).
    private var prefetchReleased = false
    private var lastStep: Int?
    /// The trajectory waits until no request came for `trajectoryDelay` seconds: keys in quick
    /// succession (walking) keep the CPU to themselves.
    static let trajectoryDelay: TimeInterval = 0.2
    private var lastSubmit = Date.distantPast
    /// Whether idle time is spent on the neighbouring steps.
    let prefetch: Bool
    /// Prefetch only while one render is quick (a large model would delay the next key).
    static let prefetchBudgetSeconds = 0.25
    /// A render expected to take longer than this first shows a preview: the pictures stopped
    /// at the largest block that fits the budget, then the full-resolution result.
    static let defaultPreviewBudget = 0.05
    /// Set before `start`.
    var previewBudgetSeconds = ExplorerWorker.defaultPreviewBudget
    /// Called (on the worker thread) with every result as it is published; set before `start`
    /// (tests: the UI polls only the newest, so a quick refinement can replace its preview).
    var onPublish: ((RenderResult) -> Void)?

    init(generator: Generator, classifier: (any AttributePredictor)?, prefetch: Bool = true) {
        maker = PictureMaker(generator: generator, classifier: classifier)
        self.prefetch = prefetch
    }

    func start() {
        condition.lock(); started = true; condition.unlock()
        let t = Thread { [self] in
            loop()
            condition.lock()
            exited = true
            condition.broadcast()
            condition.unlock()
        }
        t.name = "sc2gan-render"
        t.qualityOfService = .userInteractive
        t.start()
    }

    /// Replaces whatever request is waiting with `request`.
    func submit(_ request: RenderRequest) {
        condition.lock()
        pending = request
        prefetchQueue.removeAll()
        trajectoryQueue = nil
        lastSubmit = Date()
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

    /// The newest trajectory (scores along every walk), once.
    func takeTrajectory() -> Trajectory? {
        condition.lock(); defer { condition.unlock() }
        let t = trajectory
        trajectory = nil
        return t
    }

    func takeExportOutcome() -> ExportOutcome? {
        condition.lock(); defer { condition.unlock() }
        let o = exportOutcome
        exportOutcome = nil
        return o
    }

    /// Stops the worker and waits (up to `timeout` seconds) until the task it is running ends:
    /// the process must not exit while the worker is inside the BLAS library (the libraries'
    /// exit handlers then free what it is using, and it crashes on the way out).
    func stop(timeout: TimeInterval = 30) {
        condition.lock()
        stopped = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(timeout)
        while started && !exited && condition.wait(until: deadline) {}
        condition.unlock()
    }

    private enum Task {
        case render(RenderRequest)
        case export(ExportJob)
        case prefetch(RenderRequest, step: Int)
        case trajectory(RenderRequest)
    }

    private func nextTask() -> Task? {
        condition.lock(); defer { condition.unlock() }
        return nextTaskLocked()
    }

    /// `nextTask` with the lock held.
    private func nextTaskLocked() -> Task? {
        while !stopped && pending == nil && pendingExport == nil && ((prefetchQueue.isEmpty && trajectoryQueue == nil) || !prefetchReleased) {
            condition.wait()
        }
        if stopped { return nil }
        if let r = pending { pending = nil; return .render(r) }
        if let e = pendingExport { pendingExport = nil; return .export(e) }
        if let t = trajectoryQueue, prefetchQueue.isEmpty {
            // After a pause only (the prefetch of the next steps goes first).
            let due = lastSubmit.addingTimeInterval(ExplorerWorker.trajectoryDelay)
            if Date() >= due { trajectoryQueue = nil; return .trajectory(t) }
            _ = condition.wait(until: due)   // a new request signals: it goes first
            return nextTaskLocked()
        }
        let (r, s) = prefetchQueue.removeFirst()
        return .prefetch(r, step: s)
    }

    private func loop() {
        while let task = nextTask() {
            switch task {
            case .render(let r):
                var res: RenderResult
                // A model that needs previews is too slow to render steps ahead as well: a key
                // would wait behind the prefetch, which nothing interrupts.
                var previewed = false
                if let stop = previewStop(r) {
                    previewed = true
                    guard publish(render(r, stopAt: stop)) else { continue }
                    // The refinement a picture at a time, given up as soon as a newer request
                    // waits (its preview must not queue behind full-resolution pictures): first
                    // to the pane's resolution, which is all the screen shows, then the full
                    // image, which the scores need.
                    if let pane = paneStop(r, after: stop) {
                        guard var sharper = refine(r, stopAt: pane) else { continue }
                        sharper.pane = true
                        publish(sharper)
                    }
                    guard let refined = refine(r) else { continue }
                    res = refined
                } else {
                    res = render(r)
                }
                // The chart as far as the cache holds it comes with the pictures (one frame); its
                // other steps in idle time; on a model that needs previews the chart shows only
                // the steps already rendered.
                let (trajectory, complete) = snapshotTrajectory(r)
                res.trajectory = trajectory
                publish(res)
                // The grid's faces after the panes, given up at the next key.
                if res.gridPending {
                    guard let withGrid = renderGrid(r, panes: res) else { continue }
                    publish(withGrid)
                }
                if r.chartSteps != nil, !complete, !previewed {
                    condition.lock()
                    if pending == nil { trajectoryQueue = r }
                    condition.unlock()
                }
                condition.lock()
                if prefetch, !previewed, pending == nil, res.seconds < ExplorerWorker.prefetchBudgetSeconds {
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
            case .trajectory(let r):
                fillTrajectory(r)
            }
        }
    }

    /// Renders the chart's missing steps, nearest to the current step first, a step at a time,
    /// given up when a newer request waits; publishes the trajectory every few steps and at the end.
    private func fillTrajectory(_ r: RenderRequest) {
        guard let window = r.chartSteps else { return }
        let superseded = { [self] () -> Bool in
            condition.lock(); defer { condition.unlock() }
            return pending != nil || stopped
        }
        var made = 0
        for s in window.sorted(by: { abs($0 - r.step) != abs($1 - r.step) ? abs($0 - r.step) < abs($1 - r.step) : $0 > $1 }) {
            let missing = keys(for: r, step: s).filter { maker.cached($0) == nil }
            guard !missing.isEmpty else { continue }
            guard maker.make(missing, directions: directionTable(r), isCancelled: superseded, measures: false) != nil else { return }
            made += 1
            if made % 4 == 0 { publishTrajectory(r) }
        }
        publishTrajectory(r)
    }

    /// Publishes the trajectory of `r` from the cached pictures (for the app to take on its own).
    private func publishTrajectory(_ r: RenderRequest) {
        guard let t = snapshotTrajectory(r).trajectory else { return }
        condition.lock()
        if pending == nil { trajectory = t }
        condition.unlock()
    }

    /// The trajectory of `r` from the cached pictures (nil without a chart), and whether it is complete.
    private func snapshotTrajectory(_ r: RenderRequest) -> (trajectory: Trajectory?, complete: Bool) {
        guard let window = r.chartSteps else { return (nil, true) }
        var scores: [DirectionMethod: [Int: [Float]]] = [:]
        var complete = true
        for w in r.walks where w.direction != nil {
            var series: [Int: [Float]] = [:]
            for s in window {
                if let p = maker.cached(EditKey(seed: r.seed, truncation: r.truncation, walk: w, alpha: r.alpha(w, at: s))), let sc = p.scores {
                    series[s] = sc
                } else {
                    complete = false
                }
            }
            scores[w.method] = series
        }
        return (Trajectory(generation: r.generation, seed: r.seed, walkIDs: Trajectory.walkIDs(r), steps: window, scores: scores), complete)
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
            + r.walks.map { EditKey(seed: r.seed, truncation: r.truncation, walk: $0, alpha: r.alpha($0, at: step)) }
    }

    /// The block to preview `r` at, or nil when the full render is cached or quick enough.
    private func previewStop(_ r: RenderRequest) -> Int? {
        let missing = Set(keys(for: r, step: r.step)).filter { maker.cached($0) == nil }.count
        guard missing > 0, let full = maker.estimatedSeconds(count: missing, stopAt: nil),
              full > previewBudgetSeconds else { return nil }
        let g = maker.generator.config
        return g.resolutions.dropLast().last { maker.estimatedSeconds(count: missing, stopAt: $0)! <= previewBudgetSeconds }
    }

    /// Makes `res` the newest result unless a newer request waits (then false: its pictures are stale).
    @discardableResult
    private func publish(_ res: RenderResult) -> Bool {
        condition.lock(); defer { condition.unlock() }
        guard pending.map({ $0.generation <= res.request.generation }) ?? true else { return false }
        result = res
        prefetchReleased = false
        onPublish?(res)
        return true
    }

    /// The first block at or above the pane's side, when it lies between the preview's block and
    /// the full resolution (nil otherwise, or when the pane's size is unknown).
    private func paneStop(_ r: RenderRequest, after preview: Int) -> Int? {
        guard let side = r.paneSide else { return nil }
        let g = maker.generator.config
        guard let b = g.resolutions.first(where: { $0 >= side }), b > preview, b < g.resolution else { return nil }
        return b
    }

    /// The result of `r` stopped at `stop` (nil: full resolution), made one picture at a time and
    /// given up as soon as a newer request waits, between blocks and inside the large convolutions
    /// (nil then; the pictures finished so far stay cached).
    private func refine(_ r: RenderRequest, stopAt stop: Int? = nil) -> RenderResult? {
        let superseded = { [self] () -> Bool in
            condition.lock(); defer { condition.unlock() }
            return pending.map { $0.generation > r.generation } ?? false || stopped
        }
        for k in Set(keys(for: r, step: r.step)) where maker.cached(k, stopAt: stop) == nil {
            guard maker.make([k], directions: directionTable(r), stopAt: stop, isCancelled: superseded) != nil else { return nil }
        }
        return render(r, stopAt: stop)
    }

    private func render(_ r: RenderRequest, stopAt stop: Int? = nil) -> RenderResult {
        var result = renderPanes(r, stopAt: stop)
        result.gridPending = r.gridSeeds.map { !$0.isEmpty } ?? false
        return result
    }

    /// The grid's faces of `r` (one picture per seed and method), given up (nil) when a newer
    /// request waits; then the result of `r` with them.
    private func renderGrid(_ r: RenderRequest, panes: RenderResult) -> RenderResult? {
        guard let seeds = r.gridSeeds, !seeds.isEmpty else { return nil }
        let superseded = { [self] () -> Bool in
            condition.lock(); defer { condition.unlock() }
            return pending != nil || stopped
        }
        var keys: [EditKey] = []
        for s in seeds {
            keys.append(EditKey(seed: s, truncation: r.truncation, walk: nil, alpha: 0))
            for w in r.walks { keys.append(EditKey(seed: s, truncation: r.truncation, walk: w, alpha: r.alpha(w, at: r.step))) }
        }
        guard let (grid, more) = maker.make(keys, directions: directionTable(r), isCancelled: superseded) else { return nil }
        var edited: [DirectionMethod: [Picture]] = [:]
        for w in r.walks where w.direction != nil {
            edited[w.method] = seeds.map { grid[EditKey(seed: $0, truncation: r.truncation, walk: w, alpha: r.alpha(w, at: r.step))]! }
        }
        var result = RenderResult(request: r, base: panes.base, pictures: panes.pictures, seconds: panes.seconds + more)
        result.grid = .init(seeds: seeds, base: seeds.map { grid[EditKey(seed: $0, truncation: r.truncation, walk: nil, alpha: 0)]! },
                            edited: edited)
        result.trajectory = panes.trajectory
        return result
    }

    private func renderPanes(_ r: RenderRequest, stopAt stop: Int? = nil) -> RenderResult {
        let base = EditKey(seed: r.seed, truncation: r.truncation, walk: nil, alpha: 0)
        let edits = r.walks.map { EditKey(seed: r.seed, truncation: r.truncation, walk: $0, alpha: r.alpha($0, at: r.step)) }
        let (made, seconds) = maker.make([base] + edits, directions: directionTable(r), stopAt: stop)
        var pictures: [DirectionMethod: Picture] = [:]
        for (w, k) in zip(r.walks, edits) where w.direction != nil { pictures[w.method] = made[k] }
        var result = RenderResult(request: r, base: made[base]!, pictures: pictures, seconds: seconds)
        result.stopAt = stop
        return result
    }
}
