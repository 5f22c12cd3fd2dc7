import Foundation
import SC2Engine
import TerminalUI
import XCTest
@testable import SC2Explorer

/// The explorer's pure parts: key handling, text formatting, cache keys, the worker and exports.
final class ExplorerStateTests: XCTestCase {
    let names = ["age", "eyeglasses", "lipstick"]

    func state() -> ExplorerState { ExplorerState(seed: 10, attributes: names, stepSize: 0.5) }

    func testArrowsStepAndZeroReturns() {
        var s = state()
        XCTAssertEqual(s.handle(.right), [.render])
        XCTAssertEqual(s.handle(.right), [.render])
        XCTAssertEqual(s.step, 2)
        XCTAssertEqual(s.alpha, 1.0)
        XCTAssertEqual(s.handle(.left), [.render])
        XCTAssertEqual(s.step, 1)
        XCTAssertEqual(s.handle(.char("0")), [.render])
        XCTAssertEqual(s.step, 0)
        XCTAssertEqual(s.handle(.char("0")), [], "already at the start: nothing to render")
        s.step = ExplorerState.maxStep
        XCTAssertEqual(s.handle(.right), [])
        XCTAssertEqual(s.step, ExplorerState.maxStep)
        XCTAssertNotNil(s.status)
    }

    func testAttributesWrapBothWays() {
        var s = state()
        XCTAssertEqual(s.handle(.up), [.attributeChanged, .render])
        XCTAssertEqual(s.attribute, "lipstick")
        XCTAssertEqual(s.handle(.down), [.attributeChanged, .render])
        XCTAssertEqual(s.attribute, "age")
        _ = s.handle(.tab)
        XCTAssertEqual(s.attribute, "eyeglasses")
        _ = s.handle(.backTab)
        XCTAssertEqual(s.attribute, "age")
        var none = ExplorerState(seed: 0, attributes: [], stepSize: 1)
        XCTAssertNil(none.attribute)
        XCTAssertEqual(none.handle(.down), [])
        XCTAssertEqual(none.handle(.char("c")), [], "nothing to compute without an attribute")
    }

    func testSeedsWrapAround() {
        var s = ExplorerState(seed: UInt32.max, attributes: names, stepSize: 1)
        XCTAssertEqual(s.handle(.char("n")), [.seekAbsentSeed(forward: true), .render])
        XCTAssertEqual(s.seed, 0)
        XCTAssertEqual(s.handle(.char("p")), [.seekAbsentSeed(forward: false), .render])
        XCTAssertEqual(s.seed, UInt32.max)
    }

    func testSeedPrompt() {
        var s = state()
        XCTAssertEqual(s.handle(.char("s")), [])
        XCTAssertEqual(s.seedPrompt, "")
        for c in "4x2q" { XCTAssertEqual(s.handle(.char(c)), []) }   // letters are ignored, q does not quit
        XCTAssertFalse(s.shouldQuit)
        XCTAssertEqual(s.seedPrompt, "42")
        _ = s.handle(.backspace)
        _ = s.handle(.char("7"))
        XCTAssertEqual(s.handle(.enter), [.render])
        XCTAssertEqual(s.seed, 47)
        XCTAssertNil(s.seedPrompt)

        _ = s.handle(.char("s"))
        _ = s.handle(.char("9"))
        XCTAssertEqual(s.handle(.escape), [])
        XCTAssertEqual(s.seed, 47, "Esc cancels")

        _ = s.handle(.char("s"))
        for c in "99999999999" { _ = s.handle(.char(c)) }
        XCTAssertEqual(s.seedPrompt?.count, ExplorerState.maxSeedDigits)
        XCTAssertEqual(s.handle(.enter), [])
        XCTAssertEqual(s.seed, 47)
        XCTAssertTrue(s.status?.contains("out of range") ?? false)

        _ = s.handle(.char("s"))
        XCTAssertEqual(s.handle(.enter), [], "an empty prompt changes nothing")
        XCTAssertNil(s.seedPrompt)
    }

    func testLayoutCyclesThroughMethods() {
        var s = state()
        var seen: [ExplorerLayoutMode] = [s.layoutMode]
        for _ in 0..<4 {
            XCTAssertEqual(s.handle(.char("m")), [])
            seen.append(s.layoutMode)
        }
        XCTAssertEqual(seen, [.sideBySide, .single(.original), .single(.conditional), .single(.corrected), .sideBySide])
        XCTAssertEqual(ExplorerLayoutMode.sideBySide.methods, [.original, .conditional, .corrected])
    }

    func testHelpQuitAndCommands() {
        var s = state()
        XCTAssertEqual(s.handle(.char("?")), [])
        XCTAssertTrue(s.showsHelp)
        XCTAssertEqual(s.handle(.right), [], "a key closes the help and does nothing else")
        XCTAssertFalse(s.showsHelp)
        XCTAssertEqual(s.step, 0)
        _ = s.handle(.char("?"))
        XCTAssertEqual(s.handle(.char("q")), [.quit])
        XCTAssertTrue(s.shouldQuit)

        var t = state()
        XCTAssertEqual(t.handle(.char("e")), [.export])
        XCTAssertEqual(t.handle(.char("c")), [.computeDirections])
        XCTAssertEqual(t.handle(.resize), [])
        XCTAssertEqual(t.handle(.char("z")), [])
        _ = t.handle(.char("s"))
        XCTAssertEqual(t.handle(.ctrlC), [.quit], "Ctrl-C quits even from the prompt")
        XCTAssertTrue(t.shouldQuit)
    }

    func testTextFormatting() {
        for w in [1, 5, 10, 24] {
            for v: Float in [0, 0.01, 0.33, 0.5, 0.99, 1, 1.5, -1, .nan] {
                for g in [Glyphs.unicode, Glyphs.ascii] {
                    let (f, e) = ExplorerText.bar(v, width: w, glyphs: g)
                    XCTAssertEqual(f.count + e.count, w, "bar \(v) width \(w)")
                }
            }
        }
        XCTAssertEqual(ExplorerText.bar(0.5, width: 4, glyphs: .ascii).filled, "##")
        XCTAssertEqual(ExplorerText.change(0.421), "+0.42")
        XCTAssertEqual(ExplorerText.change(-0.07), "-0.07")
        XCTAssertEqual(ExplorerText.change(0.001), " 0.00")
        XCTAssertEqual(ExplorerText.score(0.714), "0.71")
        XCTAssertEqual(ExplorerText.signed(3), "+3")
        XCTAssertEqual(ExplorerText.signed(Float(-1.5)), "-1.50")
        XCTAssertEqual(ExplorerText.wrap("Terminal too small: 30x8, need at least 80x17.", width: 20),
                       ["Terminal too small:", "30x8, need at least", "80x17."])
        XCTAssertEqual(ExplorerText.fit("eyeglasses", 5), "eyeg…")
        XCTAssertEqual(ExplorerText.leak(0.25), .strong)
        XCTAssertEqual(ExplorerText.leak(-0.15), .some)
        XCTAssertEqual(ExplorerText.leak(0.05), .none)
        XCTAssertEqual(Glyphs.ascii.text("SC² corrected — α"), "SC2 corrected - a")
    }

    func testEditKeysCollapseToTheUneditedCode() {
        let d = Direction(attribute: "age", method: "interfacegan", vector: [1, 0])
        let walk = WalkInput(method: .original, direction: d, id: "x")
        let none = WalkInput(method: .corrected, direction: nil, id: nil)
        let base = EditKey(seed: 1, truncation: 0.7, walk: nil, alpha: 0)
        XCTAssertEqual(EditKey(seed: 1, truncation: 0.7, walk: walk, alpha: 0), base)
        XCTAssertEqual(EditKey(seed: 1, truncation: 0.7, walk: none, alpha: 2), base)
        XCTAssertNotEqual(EditKey(seed: 1, truncation: 0.7, walk: walk, alpha: 2), base)
    }

    // MARK: with a small model (the 32 px parity fixture)

    func fixtureModel() throws -> Generator {
        try Generator(contentsOf: CLI.fixtures.appendingPathComponent("parity/nv32.safetensors"))
    }

    func request(_ g: Generator, generation: Int, step: Int, directions: [DirectionMethod: Direction]) -> RenderRequest {
        let walks = DirectionMethod.allCases.map { m in
            WalkInput(method: m, direction: directions[m], id: directions[m].map(ExplorerDirectionStore.identity(of:)))
        }
        return RenderRequest(generation: generation, seed: 3, truncation: 0.7, attribute: "age", step: step,
                             stepSize: 1.5, walks: walks)
    }

    func randomDirection(_ g: Generator, seed: UInt64, method: DirectionMethod) -> Direction {
        var rng = Xoshiro(seed: seed)
        return Direction(attribute: "age", method: method.rawValue,
                         vector: (0..<g.config.wDim).map { _ in Float.random(in: -1...1, using: &rng) })
    }

    func testWorkerAnswersOnlyTheNewestRequest() throws {
        let g = try fixtureModel()
        let d = randomDirection(g, seed: 1, method: .original)
        let worker = ExplorerWorker(generator: g, classifier: nil)
        // All six wait before the worker runs (submitting while it runs is a race a loaded
        // machine loses: it may finish one and pick up whichever came next).
        for gen in 1...6 { worker.submit(request(g, generation: gen, step: gen, directions: [.original: d])) }
        worker.start()
        defer { worker.stop() }
        var last: RenderResult?
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let r = worker.takeResult() {
                XCTAssertEqual(r.request.generation, 6, "stale request \(r.request.generation) answered")
                last = r
                if r.request.generation == 6 { break }
            }
            usleep(2000)
        }
        let r = try XCTUnwrap(last)
        XCTAssertEqual(r.request.generation, 6)
        XCTAssertEqual(r.base.image.width, 32)
        XCTAssertNotNil(r.pictures[.original])
        XCTAssertNil(r.pictures[.conditional], "no direction, no edited picture")
        XCTAssertNotEqual(r.pictures[.original]!.image, r.base.image, "the walk moved the picture")
    }

    /// A worker on the 32 px fixture with FaceWorld's classifier, its rate measured on other seeds.
    func measuredWorker(_ g: Generator) throws -> ExplorerWorker {
        let classifier = try AttributeClassifier(contentsOf: CLI.packageRoot.appendingPathComponent("assets/faceworld/classifier.safetensors"))
        let worker = ExplorerWorker(generator: g, classifier: classifier, prefetch: false)
        let warm = (0..<4).map { EditKey(seed: 900 + UInt32($0), truncation: 0.7, walk: nil, alpha: 0) }
        _ = worker.maker.make(warm, directions: [:])
        return worker
    }

    /// Everything `worker` publishes for `r` until its final (unrefining) result, or 30 s.
    func published(by worker: ExplorerWorker, for r: RenderRequest) -> [RenderResult] {
        let lock = NSLock()
        nonisolated(unsafe) var results: [RenderResult] = []
        worker.onPublish = { r in lock.lock(); results.append(r); lock.unlock() }
        worker.start()
        defer { worker.stop() }
        worker.submit(r)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            lock.lock(); let done = results.last.map { !$0.refining } ?? false; lock.unlock()
            if done { break }
            usleep(1000)
        }
        lock.lock(); defer { lock.unlock() }
        return results
    }

    /// A render that would take longer than the budget shows a preview first (stopped at the
    /// largest block that fits, unscored, marked refining), then the full-resolution pictures of
    /// the same request with their scores; exact picture for picture to a direct synthesis.
    func testSlowRendersPreviewThenRefine() throws {
        let g = try fixtureModel()
        let d = randomDirection(g, seed: 1, method: .original)
        let worker = try measuredWorker(g)
        // A budget between a 16 px and a full render.
        let full = try XCTUnwrap(worker.maker.estimatedSeconds(count: 2, stopAt: nil))
        let at16 = try XCTUnwrap(worker.maker.estimatedSeconds(count: 2, stopAt: 16))
        XCTAssertEqual(at16 / full, Double(g.config.synthesisMACs(upTo: 16)) / Double(g.config.synthesisMACs()), accuracy: 1e-9)
        worker.previewBudgetSeconds = (at16 + full) / 2
        let results = published(by: worker, for: request(g, generation: 1, step: 2, directions: [.original: d]))
        guard results.count == 2 else { return XCTFail("expected a preview and a refinement, got \(results.map(\.refining))") }
        let (preview, refined) = (results[0], results[1])
        XCTAssertTrue(preview.refining)
        XCTAssertEqual(preview.pictures[.original]?.image.width, 16)
        XCTAssertNil(preview.pictures[.original]?.scores)
        XCTAssertFalse(refined.refining)
        XCTAssertEqual(refined.request.generation, 1)
        XCTAssertEqual(refined.pictures[.original]?.image.width, 32)
        XCTAssertNotNil(refined.pictures[.original]?.scores)
        let code = d.apply(to: g.ws(z: g.latents(seeds: [refined.request.seed]), truncation: refined.request.truncation),
                           alpha: refined.request.alpha)
        XCTAssertEqual(refined.pictures[.original]?.image, Generator.pictures(g.synthesis(code))[0])
        XCTAssertEqual(preview.pictures[.original]?.image, Generator.pictures(g.synthesis(code, stopAt: 16))[0])
    }

    /// With the pane's size known, the refinement goes through the pane's resolution first: a
    /// preview at 8 px, then the first block at or above the pane's 12 px (16, unscored, still
    /// refining), then the full 32 px with scores; each exact to a direct synthesis stopped there.
    func testSlowRendersRefineToThePaneFirst() throws {
        let g = try fixtureModel()
        let d = randomDirection(g, seed: 2, method: .original)
        let worker = try measuredWorker(g)
        let at8 = try XCTUnwrap(worker.maker.estimatedSeconds(count: 2, stopAt: 8))
        let at16 = try XCTUnwrap(worker.maker.estimatedSeconds(count: 2, stopAt: 16))
        worker.previewBudgetSeconds = (at8 + at16) / 2
        var r = request(g, generation: 1, step: 1, directions: [.original: d])
        r.paneSide = 12
        let results = published(by: worker, for: r)
        XCTAssertEqual(results.map { $0.pictures[.original]?.image.width }, [8, 16, 32])
        XCTAssertEqual(results.map(\.refining), [true, true, false])
        XCTAssertEqual(results.map(\.pane), [false, true, false])
        guard results.count == 3 else { return }
        XCTAssertNil(results[1].pictures[.original]?.scores, "the pane's pictures are not the final image: unscored")
        XCTAssertNotNil(results[2].pictures[.original]?.scores)
        XCTAssertTrue(results[1].refines(results[0]) && results[2].refines(results[1]) && !results[0].refines(results[1]))
        let code = d.apply(to: g.ws(z: g.latents(seeds: [r.seed]), truncation: r.truncation), alpha: r.alpha)
        XCTAssertEqual(results[1].pictures[.original]?.image, Generator.pictures(g.synthesis(code, stopAt: 16))[0])
        XCTAssertEqual(results[2].pictures[.original]?.image, Generator.pictures(g.synthesis(code))[0])
    }

    /// The cost model of previews, by hand for a 3-block model: channels 4: 8, 8: 4, 16: 2.
    func testSynthesisMACs() {
        let c = GeneratorConfig(resolution: 16, zDim: 8, wDim: 8, mappingLayers: 1, channels: [4: 8, 8: 4, 16: 2], convClamp: nil)
        let b4 = 16 * 8 * 8 * 9 + 16 * 8 * 3
        let b8 = 64 * (8 * 4 + 4 * 4) * 9 + 64 * 4 * 3
        let b16 = 256 * (4 * 2 + 2 * 2) * 9 + 256 * 2 * 3
        XCTAssertEqual(c.synthesisMACs(upTo: 4), b4)
        XCTAssertEqual(c.synthesisMACs(upTo: 8), b4 + b8)
        XCTAssertEqual(c.synthesisMACs(), b4 + b8 + b16)
    }

    func testExportWritesPicturesStripAndRecord() throws {
        let g = try fixtureModel()
        let dirs: [DirectionMethod: Direction] = [.original: randomDirection(g, seed: 1, method: .original),
                                                  .conditional: randomDirection(g, seed: 2, method: .conditional)]
        let out = CLI.tempDir().appendingPathComponent("exports")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let r = request(g, generation: 1, step: 2, directions: dirs)
        var job = ExportJob(request: r, directory: out, modelPath: g.path, modelHash: g.hash, config: g.config,
                            classifierPath: "judge.safetensors", classifierHash: nil, attributes: [])
        job.definitions = ["young=not:age"]
        let outcome = Exporter(job: job, maker: PictureMaker(generator: g, classifier: nil)).run()
        XCTAssertFalse(outcome.failed, outcome.message)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files, ["seed3-age-step+2.base.png", "seed3-age-step+2.conditional.png", "seed3-age-step+2.json",
                               "seed3-age-step+2.original.png", "seed3-age-step+2.strip.png"])
        let pane = try PNG.read(out.appendingPathComponent("seed3-age-step+2.original.png"))
        XCTAssertEqual(pane.width, 32)
        let strip = try PNG.read(out.appendingPathComponent("seed3-age-step+2.strip.png"))
        XCTAssertEqual(strip.width, 7 * 32 + 8 * 2, "steps -3...+3 as columns")
        XCTAssertEqual(strip.height, 2 * 32 + 3 * 2, "one row per available method")
        let record = try JSONDecoder().decode(ExportRecord.self, from: Data(contentsOf: out.appendingPathComponent("seed3-age-step+2.json")))
        XCTAssertEqual(record.seed, 3)
        XCTAssertEqual(record.steps, Array(-3...3))
        XCTAssertEqual(record.model.hash, g.hash)
        XCTAssertEqual(record.walks.map(\.available), [true, true, false])
        XCTAssertEqual(record.walks[0].direction?.vector, dirs[.original]!.vector)
        XCTAssertEqual(record.walks[1].frames.map(\.alpha), (-3...3).map { Float($0) * 1.5 })
        // The command that reproduces it names the predictor and its defined attributes.
        XCTAssertTrue(record.reproduce.contains(" --predictor judge.safetensors --define young=not:age"), record.reproduce)

        // The pane picture is exactly what the request renders.
        let maker = PictureMaker(generator: g, classifier: nil)
        let key = EditKey(seed: 3, truncation: 0.7, walk: r.walks[0], alpha: 3)
        XCTAssertEqual(maker.make([key], directions: [r.walks[0].id!: dirs[.original]!]).pictures[key]?.image, pane)
    }

    /// Exported from the grid view: <stem>.grid.png holds a row of unedited faces and one per
    /// method, and the faces whose correlated attribute changed side (hand-set scores: seed 1
    /// under the original, none under the corrected) are framed in red; the record names it.
    func testGridExportFramesTheFacesThatFlipped() throws {
        let g = try fixtureModel()
        let out = CLI.tempDir().appendingPathComponent("exports")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let dirs: [DirectionMethod: Direction] = [.original: randomDirection(g, seed: 1, method: .original),
                                                  .corrected: randomDirection(g, seed: 3, method: .corrected)]
        let r = request(g, generation: 1, step: 2, directions: dirs)
        // Scores: [age, eyeglasses]. Base: young without glasses; the original adds glasses to face 1.
        func faces(_ rgb: UInt8, _ scores: [[Float]]) -> [Picture] {
            scores.map { Picture(image: RGBImage(width: 32, height: 32, fill: (rgb, rgb, rgb)), scores: $0) }
        }
        let grid = RenderResult.GridPictures(seeds: [10, 11, 12],
                                             base: faces(100, [[0.1, 0.1], [0.2, 0.2], [0.1, 0.3]]),
                                             edited: [.original: faces(150, [[0.9, 0.2], [0.8, 0.9], [0.7, 0.4]]),
                                                      .corrected: faces(200, [[0.9, 0.1], [0.8, 0.3], [0.7, 0.2]])])
        var job = ExportJob(request: r, directory: out, modelPath: g.path, modelHash: g.hash, config: g.config,
                            classifierPath: nil, classifierHash: nil, attributes: ["age", "eyeglasses"])
        job.grid = grid
        job.gridCorrelated = "eyeglasses"
        let outcome = Exporter(job: job, maker: PictureMaker(generator: g, classifier: nil)).run()
        XCTAssertFalse(outcome.failed, outcome.message)
        let record = try JSONDecoder().decode(ExportRecord.self, from: Data(contentsOf: out.appendingPathComponent("seed3-age-step+2.json")))
        XCTAssertEqual(record.grid, "seed3-age-step+2.grid.png")
        let png = try PNG.read(out.appendingPathComponent("seed3-age-step+2.grid.png"))
        // The layout by hand: 32 px faces scaled by 3 (96 px), gaps of 4, labels 14 px high (font
        // scale 2): face i of row j has its corner at x = 4 + 100 i, y = 44 + 118 j.
        func redFramed(_ row: Int, _ fill: UInt8) -> [Bool] {
            (0..<3).map { i in
                let x = 4 + 100 * i, y = 44 + 118 * row
                XCTAssertTrue(png[x + 48, y + 48] == (fill, fill, fill), "face \(i) of row \(row) is not where the layout puts it")
                return png[x + 1, y + 1] == (220, 30, 30)
            }
        }
        XCTAssertEqual(redFramed(0, 100), [false, false, false])
        XCTAssertEqual(redFramed(1, 150), [false, true, false])
        XCTAssertEqual(redFramed(2, 200), [false, false, false])
    }

    func testExportToAnUnwritableFolderFailsCleanly() throws {
        let g = try fixtureModel()
        let job = ExportJob(request: request(g, generation: 1, step: 0, directions: [:]),
                            directory: URL(fileURLWithPath: "/proc/sc2gan-exports"), modelPath: g.path, modelHash: g.hash,
                            config: g.config, classifierPath: nil, classifierHash: nil, attributes: [])
        let outcome = Exporter(job: job, maker: PictureMaker(generator: g, classifier: nil)).run()
        XCTAssertTrue(outcome.failed)
        XCTAssertTrue(outcome.message.contains("/proc"), outcome.message)
        XCTAssertFalse(outcome.message.contains("\n"))
    }

    func testDirectionStoreSlots() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lib = DirectionLibrary(directory: dir)
        try lib.save(Direction(attribute: "age", method: "interfacegan", vector: [1, 0, 0], provenance: ["model_hash": "other"]), method: .original)
        try lib.save(Direction(attribute: "age", method: "conditional", vector: [1, 0]), method: .conditional)
        try Data("not json".utf8).write(to: lib.url(attribute: "smile", method: .original))
        var store = ExplorerDirectionStore(library: lib, wDim: 3, numWs: 4, modelHash: "mine")
        XCTAssertEqual(store.attributesOnDisk(), ["age", "smile"])
        let slots = store.slots(for: "age")
        guard case .available(_, _, let note)? = slots[.original] else { return XCTFail("\(String(describing: slots[.original]))") }
        XCTAssertEqual(note, "made for model #other")
        guard case .unusable? = slots[.conditional] else { return XCTFail("a 2-dim direction for a 3-dim model must be unusable") }
        XCTAssertEqual(slots[.corrected], .missing(note: nil))
        guard case .unusable = store.slot(attribute: "smile", method: .original) else { return XCTFail("corrupt file") }
        store.setNote("run `sc2gan correct` first", attribute: "age", method: .corrected)
        XCTAssertEqual(store.slot(attribute: "age", method: .corrected), .missing(note: "run `sc2gan correct` first"))
        let d = Direction(attribute: "age", method: "sc2", vector: [0, 1, 0])
        store.remember(d, method: .corrected)
        XCTAssertEqual(store.slot(attribute: "age", method: .corrected).direction, d)
        // A direction on W+ rows the model does not have is unusable, not an out-of-bounds write.
        try lib.save(Direction(attribute: "beard", method: "interfacegan", vector: [0, 0, 1], layers: [2, 4]), method: .original)
        guard case .unusable(let why) = store.slot(attribute: "beard", method: .original) else { return XCTFail("row 4 of 4") }
        XCTAssertTrue(why.contains("row 4"), why)
        // A direction with a vector for each of another model's rows (a W+ direction, issue 28): unusable too.
        try lib.save(Direction(attribute: "pose", method: "imported", rows: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]), method: .original)
        guard case .unusable(let rowsWhy) = store.slot(attribute: "pose", method: .original) else { return XCTFail("3 rows of 4") }
        XCTAssertTrue(rowsWhy.contains("each of 3 W+ rows, the model has 4"), rowsWhy)
        try lib.save(Direction(attribute: "pose", method: "imported", rows: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]), method: .original)
        XCTAssertEqual(store.slot(attribute: "pose", method: .original).direction?.layers, [0, 1, 2])
    }

    func testBasesInOneLibrary() throws {
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lib = DirectionLibrary(directory: dir)
        try lib.save(Direction(attribute: "age", method: "interfacegan", vector: [1, 0, 0]), method: .original)
        try lib.save(Direction(attribute: "age", method: "class-mean", vector: [0, 1, 0]), method: .original, base: "class-mean")
        try lib.save(Direction(attribute: "age", method: "sc2", vector: [0, 0, 1]), method: .corrected, base: "class-mean")
        try lib.save(Direction(attribute: "lipstick", method: "ganspace", vector: [0, 0, 1]), method: .conditional, base: "ganspace")
        // The evaluation's variant "sc2-conditional" is InterFaceGAN's, not a base called "sc2".
        try lib.save(Direction(attribute: "age", method: "sc2-conditional", vector: [1, 1, 0]), method: .original, base: "sc2-conditional")
        XCTAssertEqual(lib.url(attribute: "age", method: .corrected, base: "class-mean").lastPathComponent, "age.class-mean-sc2.json")
        XCTAssertEqual(lib.url(attribute: "age", method: .conditional, base: "interfacegan").lastPathComponent, "age.conditional.json")
        let store = ExplorerDirectionStore(library: lib, wDim: 3, numWs: 4, modelHash: "mine")
        XCTAssertEqual(store.bases(for: "age"), ["interfacegan", "class-mean"])
        XCTAssertEqual(store.bases(for: "lipstick"), ["ganspace"])
        XCTAssertEqual(store.bases(for: "smile"), ["interfacegan"])
        XCTAssertEqual(store.attributesOnDisk(), ["age", "lipstick"])
        let slots = store.slots(for: "age", base: "class-mean")
        XCTAssertEqual(slots[.original]?.direction?.vector, [0, 1, 0])
        XCTAssertEqual(slots[.corrected]?.direction?.vector, [0, 0, 1])
        XCTAssertEqual(slots[.conditional], .missing(note: "run `sc2gan correct --base class-mean`"))
        XCTAssertEqual(store.slots(for: "age")[.original]?.direction?.vector, [1, 0, 0])

        // `b` asks the app for the next base and a new frame; without an attribute it does nothing.
        var state = ExplorerState(seed: 1, attributes: ["age"], stepSize: 0.5)
        XCTAssertEqual(state.handle(.char("b")), [.nextBase, .render])
        var none = ExplorerState(seed: 1, attributes: [], stepSize: 0.5)
        XCTAssertEqual(none.handle(.char("b")), [])
    }
}

/// Calibrations shipped with a direction library (`sc2gan directions calibrate`): the explorer
/// reads them instead of measuring, only for the same direction, predictor and truncation, and
/// never writes into the shipped folder.
final class ShippedCalibrationTests: XCTestCase {
    func testShippedCalibrationsAreReadNotMeasured() throws {
        let fw = CLI.packageRoot.appendingPathComponent("assets/faceworld")
        let g = try Generator(contentsOf: fw.appendingPathComponent("generator.safetensors"))
        let c = try AttributeClassifier(contentsOf: fw.appendingPathComponent("classifier.safetensors"))
        let dir = CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shipped = dir.appendingPathComponent("shipped"), cache = dir.appendingPathComponent("cache")
        let d = try Direction.load(fw.appendingPathComponent("directions/age.interfacegan.json"))
        let id = ExplorerDirectionStore.identity(of: d)
        // Measured once into what becomes the shipped folder.
        let measured = try XCTUnwrap(StepCalibrator(generator: g, predictor: c, truncation: 0.7, cacheDirectory: shipped).calibration(d, id: id))
        // A fresh explorer with an empty cache reads it: nothing is measured or written to its cache.
        let fresh = StepCalibrator(generator: g, predictor: c, truncation: 0.7, cacheDirectory: cache, shippedDirectory: shipped)
        XCTAssertEqual(fresh.cached(id), measured)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.path))
        // Another truncation is another calibration: not taken from the shipped folder.
        XCTAssertNil(StepCalibrator(generator: g, predictor: c, truncation: 1, cacheDirectory: cache, shippedDirectory: shipped).cached(id))
        // Another direction (a changed vector) has another id: not found either.
        var other = d
        other.vector[0] += 0.01
        XCTAssertNil(fresh.cached(ExplorerDirectionStore.identity(of: other)))
    }
}
