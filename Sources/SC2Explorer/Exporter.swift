import Foundation
import SC2Engine

/// Writes one export: the panes' pictures at full resolution, the strip of the walk and the JSON
/// record, each atomically, into the job's folder. Runs on the render worker's thread.
struct Exporter {
    let job: ExportJob
    let maker: PictureMaker

    static func label(_ m: DirectionMethod) -> String {
        switch m {
        case .original: return "original"
        case .conditional: return "conditional"
        case .corrected: return "corrected"
        }
    }

    /// File name stem: seed42-eyeglasses-step+2.
    var stem: String {
        let r = job.request
        let attr = (r.attribute ?? "none").map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" }
        return "seed\(r.seed)-\(String(attr))-step\(r.step >= 0 ? "+" : "")\(r.step)"
    }

    var stripSteps: [Int] {
        let s = job.request.step, k = ExportJob.stripRadius
        return Array(min(-k, s)...max(k, s))
    }

    func run() -> ExportOutcome {
        do {
            let files = try write()
            let shown = job.directory.appendingPathComponent(stem).relativePath
            return ExportOutcome(message: "exported \(files.count) files to \(shown).*", files: files, failed: false)
        } catch {
            return ExportOutcome(message: "export failed: \(error)", files: [], failed: true)
        }
    }

    private func frame(_ p: Picture, step: Int, walk: WalkInput? = nil) -> ExportRecord.Frame {
        var scores: [String: Float]?
        if let s = p.scores {
            scores = Dictionary(uniqueKeysWithValues: zip(job.attributes, s).map { ($0, ($1 * 10000).rounded() / 10000) })
        }
        return ExportRecord.Frame(step: step, alpha: walk.map { job.request.alpha($0, at: step) } ?? 0, scores: scores)
    }

    /// The command line that opens the explorer on this view, every word shell-quoted: each
    /// option that determines the pictures (model and which generator in it, directions,
    /// seed, truncation, step size, attribute) and the scores (predictor or scorer, defined
    /// attributes); the keys that lead from there to the step (and base) as a comment.
    func reproduceLine() -> String {
        let r = job.request
        var words = ["sc2gan", "explore", "--model", job.modelPath, "--use", job.generatorChoice.rawValue]
        if let d = job.directionsPath { words += ["--directions", d] }
        words += ["--seed", "\(r.seed)", "--truncation", "\(r.truncation)"]
        // Equal effect (the default) recalibrates the same steps; an explicit --step walks at equal α.
        if !r.perWalkSteps { words += ["--step", "\(r.stepSize)"] }
        if let a = r.attribute { words += ["--attribute", a] }
        if let cp = job.classifierPath { words += [job.classifierIsScorer ? "--scorer" : "--predictor", cp] }
        for d in job.definitions { words += ["--define", d] }
        var then: [String] = []
        if job.base != DirectionLibrary.defaultBase { then.append("b until the base is \(job.base)") }
        if job.rowPresses > 0, let rows = job.rows { then.append("\(job.rowPresses) x r (\(rows))") }
        if r.step != 0 { then.append("\(abs(r.step)) x \(r.step > 0 ? "Right" : "Left")") }
        return ShellQuote.line(words) + (then.isEmpty ? "" : "   # then " + then.joined(separator: ", "))
    }

    /// The grid view as a picture: a row of unedited faces, then a row per method at the
    /// current step, each labelled with the method, its alpha and (with a correlated attribute)
    /// the share of faces whose correlated attribute changed side, counted as the grid view and
    /// the evaluation count it (`GridSummary`); those faces framed in red.
    func gridImage(_ grid: RenderResult.GridPictures) -> RGBImage {
        let r = job.request
        let res = grid.base.first?.image.width ?? 64
        let k = max(1, 96 / max(res, 1)), face = res * k
        let font = max(2, face / 40), gap = max(2, face / 24)
        let ink: (UInt8, UInt8, UInt8) = (30, 30, 30), red: (UInt8, UInt8, UInt8) = (220, 30, 30)
        let t = r.attribute.flatMap { job.attributes.firstIndex(of: $0) }
        let c = job.gridCorrelated.flatMap { job.attributes.firstIndex(of: $0) }
        var rows: [(label: String, faces: [RGBImage], marked: [Bool])] = [("unedited", grid.base.map(\.image), grid.base.map { _ in false })]
        for m in DirectionMethod.allCases {
            guard let edited = grid.edited[m] else { continue }
            var label = "\(Exporter.label(m))  α \(String(format: "%.2f", r.alpha(of: m)))"
            var marked = edited.map { _ in false }
            if let t, let c, let cn = job.gridCorrelated {
                let base = grid.base.compactMap(\.scores), ed = edited.compactMap(\.scores)
                if base.count == edited.count, ed.count == edited.count {
                    let s = GridSummary(base: base, edited: ed, target: t, correlated: c)
                    marked = s.correlatedFlipped
                    label += "  \(cn) changed: \(marked.filter { $0 }.count)/\(s.seeds)"
                }
            }
            rows.append((label, edited.map(\.image), marked))
        }
        let lineH = BitmapFont.height(scale: font)
        let n = grid.seeds.count
        let title = "\(r.attribute ?? "no attribute"), step \(ExplorerText.signed(r.step))\(r.perWalkSteps ? " (equal effect)" : ""), \(n) seeds from \(grid.seeds.first ?? 0)"
            + (job.gridCorrelated.map { "; red frame: \($0) changed side" } ?? "")
        let width = max(gap + n * (face + gap), BitmapFont.width(title, scale: font) + 2 * gap)
        let height = gap + (lineH + gap) + rows.count * (lineH + 2 * gap + face) + gap
        var out = RGBImage(width: width, height: height, fill: (255, 255, 255))
        BitmapFont.draw(title, into: &out, x: gap, y: gap, scale: font, color: ink)
        var y = gap + lineH + gap
        for row in rows {
            y += gap
            BitmapFont.draw(row.label, into: &out, x: gap, y: y, scale: font, color: ink)
            y += lineH + gap
            for (i, img) in row.faces.enumerated() {
                let x = gap + i * (face + gap)
                out.paste(img.scaled(by: k), x: x, y: y)
                if row.marked[i] { out.outline(x: x, y: y, width: face, height: face, thickness: max(2, face / 32), color: red) }
            }
            y += face
        }
        return out
    }

    private func write() throws -> [URL] {
        let r = job.request
        let steps = stripSteps
        let walks = r.walks.filter { $0.direction != nil }
        var directions: [String: Direction] = [:]
        for w in walks { directions[w.id!] = w.direction! }
        let baseKey = EditKey(seed: r.seed, truncation: r.truncation, walk: nil, alpha: 0)
        var keys = [baseKey]
        for w in walks {
            for s in steps { keys.append(EditKey(seed: r.seed, truncation: r.truncation, walk: w, alpha: r.alpha(w, at: s))) }
        }
        let pictures = maker.make(keys, directions: directions).pictures
        func picture(_ w: WalkInput?, _ s: Int) -> Picture {
            pictures[EditKey(seed: r.seed, truncation: r.truncation, walk: w, alpha: w.map { r.alpha($0, at: s) } ?? 0)]!
        }

        var files: [URL] = []
        func put(_ image: RGBImage, _ name: String) throws {
            let url = job.directory.appendingPathComponent(name)
            try PNG.write(image, to: url)
            files.append(url)
        }
        let base = picture(nil, 0)
        try put(base.image, "\(stem).base.png")

        var records: [ExportRecord.Walk] = []
        var stripImages: [RGBImage] = []
        var row = 0
        for w in r.walks {
            guard w.direction != nil else {
                records.append(ExportRecord.Walk(method: Exporter.label(w.method), methodID: w.method.rawValue, available: false,
                                                 direction: nil, image: nil, stripRow: nil, frames: []))
                continue
            }
            let name = "\(stem).\(Exporter.label(w.method)).png"
            try put(picture(w, r.step).image, name)
            stripImages += steps.map { picture(w, $0).image }
            records.append(ExportRecord.Walk(method: Exporter.label(w.method), methodID: w.method.rawValue, available: true,
                                             direction: w.direction, image: name, stripRow: row,
                                             frames: steps.map { frame(picture(w, $0), step: $0, walk: w) }))
            row += 1
        }
        if stripImages.isEmpty { stripImages = [base.image] }
        let stripName = "\(stem).strip.png"
        try put(RGBImage.grid(stripImages, columns: walks.isEmpty ? 1 : steps.count, gap: 2), stripName)

        let c = job.config
        let reproduce = reproduceLine()
        let record = ExportRecord(
            createdBy: "sc2gan explore",
            createdAt: ISO8601DateFormatter().string(from: Date()),
            model: .init(path: job.modelPath, hash: job.modelHash, resolution: c.resolution, zDim: c.zDim, wDim: c.wDim, numWs: c.numWs),
            classifier: job.classifierPath.map { .init(path: $0, hash: job.classifierHash ?? "unknown", attributes: job.attributes) },
            seed: r.seed, truncation: r.truncation, noise: NoiseMode.const.rawValue, attribute: r.attribute,
            edit: "w+ = truncate(mapping(z(seed)), truncation) + step * stepSize * direction.vector (direction.rows[l] on row l when it has rows) on direction.layers (all rows if null)",
            stepSize: r.stepSize, step: r.step, alpha: r.alpha, steps: steps, strip: stripName,
            baseImage: "\(stem).base.png", base: frame(base, step: 0), walks: records, reproduce: reproduce)
        var rec = record
        if let grid = job.grid {
            let name = "\(stem).grid.png"
            try put(gridImage(grid), name)
            rec.grid = name
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = job.directory.appendingPathComponent("\(stem).json")
        try AtomicWrite.write(try enc.encode(rec), to: url)
        files.append(url)
        return files
    }
}
