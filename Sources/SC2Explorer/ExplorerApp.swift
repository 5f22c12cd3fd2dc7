import Foundation
import SC2Engine
import TerminalUI

/// The explorer's UI thread: reads keys with a short timeout, turns them into state changes
/// and requests for the worker, and redraws when something changed. Never waits on the model.
package final class ExplorerApp {
    /// Everything loaded before the screen starts (so load errors print on a normal terminal).
    package struct Setup {
        let generator: Generator
        let classifier: (any AttributePredictor)?
        /// Why there are no score bars (nil when there is a classifier).
        let classifierNote: String?
        let store: ExplorerDirectionStore
        let state: ExplorerState
        let truncation: Float
        let exportDirectory: URL
        let trace: ExplorerTrace?
        let correctedProvider: CorrectedDirectionProvider?
        let prefetch: Bool
        /// Finds seeds without the attribute for n/p (nil without a classifier).
        let seedFinder: AbsentSeedFinder?
        /// Where directions computed in the explorer cache their sample set (nil: not cached).
        let cacheDirectory: URL?
        /// Calibrates the equal-effect steps (nil without a predictor: equal α only).
        let calibrator: StepCalibrator?

        package init(generator: Generator, classifier: (any AttributePredictor)?, classifierNote: String?,
                     store: ExplorerDirectionStore, state: ExplorerState, truncation: Float, exportDirectory: URL,
                     trace: ExplorerTrace?, correctedProvider: CorrectedDirectionProvider?, prefetch: Bool,
                     seedFinder: AbsentSeedFinder?, cacheDirectory: URL? = nil, shippedCacheDirectory: URL? = nil) {
            self.generator = generator; self.classifier = classifier; self.classifierNote = classifierNote
            self.store = store; self.state = state; self.truncation = truncation; self.exportDirectory = exportDirectory
            self.trace = trace; self.correctedProvider = correctedProvider; self.prefetch = prefetch
            self.seedFinder = seedFinder
            self.cacheDirectory = cacheDirectory
            calibrator = classifier.map { StepCalibrator(generator: generator, predictor: $0, truncation: truncation, cacheDirectory: cacheDirectory,
                                                         shippedDirectory: shippedCacheDirectory) }
        }
    }

    /// How long a frame waits for pending pictures before showing "rendering…" instead.
    static let renderGraceNanoseconds: UInt64 = 40_000_000

    private let setup: Setup
    private var state: ExplorerState
    private var store: ExplorerDirectionStore
    private var view: ExplorerView
    private let worker: ExplorerWorker
    private var job: DirectionJob?
    private var requested = 0
    private var displayed = 0
    private var lastRequest: RenderRequest?
    /// The longer side, in pixels, of the largest picture the last frame had room for.
    private var paneSide: Int?
    /// How many faces a row of the grid view holds on this screen.
    private var gridCapacity: Int?
    /// Draws the screen at once (set while `run` holds the terminal): for a note before work
    /// that keeps the loop busy for a moment.
    private var drawNow: (() -> Void)?

    package init(_ setup: Setup) {
        self.setup = setup
        state = setup.state
        store = setup.store
        let g = setup.generator
        view = ExplorerView(modelName: URL(fileURLWithPath: g.path).lastPathComponent, modelHash: g.hash,
                            resolution: g.config.resolution, truncation: setup.truncation,
                            scoreNames: setup.classifier?.attributes ?? [], classifierNote: setup.classifierNote)
        worker = ExplorerWorker(generator: g, classifier: setup.classifier, prefetch: setup.prefetch)
    }

    /// Whether a direction computation was still running when the explorer was left: the
    /// caller must then end the process without running exit handlers (`_exit`), since that
    /// thread is inside the BLAS library, whose exit handler frees what it is using.
    package var leftBackgroundWork: Bool { job.map { !$0.snapshot().finished } ?? false }

    /// Runs on `screen` until q / Ctrl-C. The terminal is restored on return and on throw.
    package func run(on screen: InteractiveTerminal) throws {
        try screen.start()
        defer { screen.stop() }
        let renderer = ExplorerRenderer(screen: screen, glyphs: screen.isUTF8 ? .unicode : .ascii)
        if let notice = screen.fallbackNotice { state.status = notice }
        drawNow = { [unowned self] in renderer.draw(state, view); screen.refresh() }
        defer { drawNow = nil }
        paneSide = renderer.pictureSide(state, view)
        gridCapacity = renderer.gridCapacity(view)

        worker.start()
        defer { worker.stop() }
        reloadDirections()
        submitRender()

        var dirtySince: UInt64? = ExplorerTrace.now()
        while !state.shouldQuit {
            // Keys first: drain everything typed so far, then draw once.
            let waiting = requested > displayed
            var key = screen.getKey(timeoutMs: waiting ? 2 : (job != nil ? 100 : 250))
            var handled = 0
            while key != .none && handled < 64 {
                let t0 = ExplorerTrace.now()
                let renderBefore = requested
                apply(state.handle(key))
                if key != .resize {
                    setup.trace?.keyPressed(key, at: t0, awaiting: requested > renderBefore ? requested : 0)
                }
                if dirtySince == nil { dirtySince = t0 }
                handled += 1
                if state.shouldQuit { break }
                key = screen.getKey(timeoutMs: 0)
            }
            if state.shouldQuit { break }

            // A new request's pictures, or the full-resolution refinement of the preview on screen.
            if let r = worker.takeResult(), r.request.generation > displayed || view.result.map(r.refines) == true {
                view.result = r
                if let t = r.trajectory, view.trajectory.map({ !$0.matches(r.request) || $0.count <= t.count || $0.steps != t.steps }) ?? true {
                    view.trajectory = t
                }
                displayed = r.request.generation
                if dirtySince == nil { dirtySince = ExplorerTrace.now() }
            }
            if let t = worker.takeTrajectory(), let r = lastRequest, t.matches(r) {
                view.trajectory = t
                if dirtySince == nil { dirtySince = ExplorerTrace.now() }
            }
            if let o = worker.takeExportOutcome() {
                state.status = o.message
                if dirtySince == nil { dirtySince = ExplorerTrace.now() }
            }
            if pollJob(), dirtySince == nil { dirtySince = ExplorerTrace.now() }

            // Draw when something changed; while pictures are on their way, give them a moment
            // so that one frame shows key and result together.
            guard let since = dirtySince else { continue }
            view.rendering = requested > displayed
            if view.rendering && ExplorerTrace.now() - since < ExplorerApp.renderGraceNanoseconds { continue }
            let drawStart = ExplorerTrace.now()
            renderer.draw(state, view)
            screen.refresh()
            paneSide = renderer.pictureSide(state, view)
            gridCapacity = renderer.gridCapacity(view)
            setup.trace?.frameShown(generation: displayed, drawNanoseconds: ExplorerTrace.now() - drawStart,
                                    renderSeconds: view.result?.seconds ?? 0, preview: view.result?.refining ?? false,
                                    pane: view.result?.pane ?? false)
            if !view.rendering { worker.frameShown() }
            dirtySince = nil
        }
    }

    // MARK: effects

    private func apply(_ effects: [ExplorerState.Effect]) {
        for e in effects {
            switch e {
            case .attributeChanged: reloadDirections()
            case .render:
                if (state.equalEffect && view.stepAlphas.isEmpty) || (state.showsGrid && view.gridSeeds.isEmpty) || (!state.equalEffect && !view.stepAlphas.isEmpty) { calibrateSteps() }
                submitRender()
            case .export: export()
            case .computeDirections: computeDirections()
            case .nextBase: nextBase()
            case .nextRows: nextRows()
            case .seekAbsentSeed(let forward):
                if let finder = setup.seedFinder, let attribute = state.attribute {
                    state.seed = finder.firstAbsent(attribute, from: state.seed, forward: forward)
                }
            case .quit: break
            }
        }
    }

    private func reloadDirections() {
        // An attribute without the current base's directions shows its first base (InterFaceGAN's when there).
        if let a = state.attribute, case let bases = store.bases(for: a), !bases.contains(state.base) { state.base = bases[0] }
        view.base = state.base
        view.slots = store.slots(for: state.attribute, base: state.base)
        // Another band of rows: the same vectors on those rows only (a new identity, so that
        // the pictures and the equal-effect calibration are those of the band's edit).
        let numWs = setup.generator.config.numWs
        if let rows = state.rowBand.rows(numWs: numWs) {
            view.slots = view.slots.mapValues { slot in
                guard case .available(var d, _, let note) = slot else { return slot }
                d.layers = rows
                return .available(d, id: ExplorerDirectionStore.identity(of: d), note: note)
            }
        }
        view.rows = state.rowBand.label(numWs: numWs)
        calibrateSteps()
    }

    /// Equal effect: the calibrated α per step of each available direction (measured once per
    /// direction on validation seeds, a few seconds on a 64 px model, then read from the cache).
    private func calibrateSteps() {
        view.stepAlphas = [:]
        view.gridSeeds = []
        view.correlated = nil
        guard let calibrator = setup.calibrator, state.equalEffect || state.showsGrid else { return }
        for (m, slot) in view.slots {
            guard case .available(let d, let id, _) = slot else { continue }
            guard let c = calibrator.calibration(d, id: id) else { continue }
            if state.equalEffect, c.stepAlpha.isFinite, c.stepAlpha > 0 { view.stepAlphas[m] = c.stepAlpha }
            // The grid shows the original's calibration faces and marks what it moved most.
            if m == .original, let t = view.scoreNames.firstIndex(of: c.target), let o = c.mostMoved(target: t), o < view.scoreNames.count {
                view.gridSeeds = c.seeds
                view.correlated = view.scoreNames[o]
            }
        }
    }

    private func nextBase() {
        guard let a = state.attribute else { return }
        let bases = store.bases(for: a)
        guard bases.count > 1 else {
            state.status = "only InterFaceGAN's directions of \(a) here; `sc2gan correct --base class-mean` (or logistic, ganspace) adds another base"
            return
        }
        let i = bases.firstIndex(of: state.base) ?? 0
        state.base = bases[(i + 1) % bases.count]
        state.status = "base: \(state.base)"
        reloadDirections()
    }

    private func nextRows() {
        let numWs = setup.generator.config.numWs
        state.rowBand = state.rowBand.next(numWs: numWs)
        state.status = state.rowBand.label(numWs: numWs).map { "every pane edits \($0) only; r: next rows" } ?? "each direction edits its own rows"
        // A band not seen before is calibrated now (a few seconds at 64 px): say so first.
        if setup.calibrator != nil, state.equalEffect || state.showsGrid {
            view.rendering = true
            let note = state.status
            state.status = (note ?? "") + "; calibrating the steps\u{2026}"
            drawNow?()
            state.status = note
        }
        reloadDirections()
    }

    private func submitRender() {
        requested += 1
        let walks = DirectionMethod.allCases.map { m -> WalkInput in
            let slot = view.slots[m]
            return WalkInput(method: m, direction: slot?.direction, id: slot?.id,
                             stepSize: state.equalEffect ? view.stepAlphas[m] : nil)
        }
        let r = RenderRequest(generation: requested, seed: state.seed, truncation: setup.truncation,
                              attribute: state.attribute, step: state.step, stepSize: state.stepSize, walks: walks,
                              paneSide: paneSide, chartSteps: state.showsChart && !state.showsGrid ? Trajectory.window(around: state.step) : nil,
                              gridSeeds: state.showsGrid ? gridSeeds() : nil)
        lastRequest = r
        worker.submit(r)
    }

    /// As many grid seeds as the screen shows: the calibration faces, or seeds from the current one on.
    private func gridSeeds() -> [UInt32] {
        let n = max(1, gridCapacity ?? 12)
        if !view.gridSeeds.isEmpty { return Array(view.gridSeeds.prefix(n)) }
        return (0..<UInt32(n)).map { state.seed &+ $0 }
    }

    private func export() {
        guard let r = lastRequest else { return }
        let g = setup.generator
        var job = ExportJob(request: r, directory: setup.exportDirectory, modelPath: g.path, modelHash: g.hash,
                            config: g.config, classifierPath: setup.classifier?.path,
                            classifierHash: setup.classifier.map { ContentHash.ofFile($0.path) },
                            attributes: setup.classifier?.attributes ?? [])
        job.definitions = (setup.classifier as? DerivedAttributes)?.definitions ?? []
        job.classifierIsScorer = ((setup.classifier as? DerivedAttributes)?.base ?? setup.classifier) is ExternalScorer
        job.generatorChoice = g.choice
        job.directionsPath = store.library.directory.path
        job.base = state.base
        job.rows = view.rows
        job.rowPresses = RowBand.allCases.firstIndex(of: state.rowBand) ?? 0
        if state.showsGrid, let grid = view.result?.grid, grid.seeds.count > 0 {
            job.grid = grid
            job.gridCorrelated = view.correlated
        }
        worker.submitExport(job)
        state.status = "exporting seed \(r.seed) step \(ExplorerText.signed(r.step))…"
    }

    private func computeDirections() {
        guard let attribute = state.attribute else { return }
        guard state.base == DirectionLibrary.defaultBase else {
            state.status = "c computes InterFaceGAN's directions; for \(state.base) run `sc2gan correct --attribute \(attribute) --base \(state.base) --out \(store.library.directory.path)`"
            return
        }
        if let j = job {
            let s = j.snapshot()
            state.status = "already computing \(s.attribute) (\(Int((s.fraction * 100).rounded()))%)"
            return
        }
        var missing = DirectionMethod.allCases.filter { view.slots[$0]?.direction == nil }
        guard !missing.isEmpty else {
            state.status = "all three directions of \(attribute) are there"
            return
        }
        var notes: [String] = []
        if missing.contains(.corrected) && setup.correctedProvider == nil {
            // Nothing here computes it: say so in the pane right away.
            store.setNote("run `sc2gan correct` first", attribute: attribute, method: .corrected)
            reloadDirections()
            missing.removeAll { $0 == .corrected }
            notes.append("corrected: run `sc2gan correct` first")
        }
        guard !missing.isEmpty else {
            state.status = notes.joined(separator: "; ")
            return
        }
        guard setup.classifier != nil else {
            state.status = (["cannot compute directions without a predictor (pass --predictor PATH)"] + notes).joined(separator: "; ")
            return
        }
        let j = DirectionJob(attribute: attribute, methods: missing, generator: setup.generator, classifier: setup.classifier,
                             library: store.library, correctedProvider: setup.correctedProvider,
                             cacheDirectory: setup.cacheDirectory)
        job = j
        view.jobMethods = missing
        view.job = j.snapshot()
        j.start()
        state.status = (["computing \(missing.map { $0 == .corrected ? "corrected" : $0.title }.joined(separator: " + ")) for \(attribute)"]
            + notes).joined(separator: "; ")
    }

    /// Updates the job's progress in the view; applies its outcome when done. True if the view changed.
    private func pollJob() -> Bool {
        guard let j = job else { return false }
        let snap = j.snapshot()
        var changed = false
        if snap != view.job {
            view.job = snap
            changed = true
        }
        if let outcome = j.takeOutcome() {
            for (m, d) in outcome.directions { store.remember(d, method: m) }
            for (m, note) in outcome.notes { store.setNote(note, attribute: outcome.attribute, method: m) }
            state.status = outcome.message
            job = nil
            view.job = nil
            view.jobMethods = []
            if outcome.attribute == state.attribute {
                reloadDirections()
                submitRender()
            }
            changed = true
        }
        return changed
    }
}
