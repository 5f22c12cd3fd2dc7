import Foundation
import SC2Engine
import TerminalUI

/// The labelling view's loop: draws the page, reads keys, saves the labels file after every
/// label (temporary file, rename), and makes each page's faces.
package final class LabelApp {
    private let generator: Generator
    private let file: URL
    private var state: LabelState
    private var pictures: [UInt32: RGBImage] = [:]

    package init(generator: Generator, file: URL, labels: HandLabels, first: UInt32) {
        self.generator = generator
        self.file = file
        state = LabelState(labels: labels, first: first)
    }

    package var labels: HandLabels { state.labels }

    /// Faces for the seeds of the page that are not drawn yet. The person judges the face, so
    /// it is the final image; above 256 px it is the 256 px block's (the later blocks add
    /// detail a tile cannot show, and a page of 1024 px faces would take half a minute).
    private func render(_ seeds: [UInt32]) {
        let missing = seeds.filter { pictures[$0] == nil }
        guard !missing.isEmpty else { return }
        let g = generator
        let stop: Int? = g.config.resolution > 256 ? 256 : nil
        for start in stride(from: 0, to: missing.count, by: 8) {
            let chunk = Array(missing[start..<min(start + 8, missing.count)])
            let ws = g.ws(z: g.latents(seeds: chunk), truncation: state.labels.truncation)
            for (s, img) in zip(chunk, Generator.pictures(g.synthesis(ws, stopAt: stop))) { pictures[s] = img }
        }
        if pictures.count > 512 { pictures = pictures.filter { seeds.contains($0.key) } }
    }

    package func run(on screen: InteractiveTerminal) throws {
        try screen.start()
        defer { screen.stop() }
        let renderer = LabelRenderer(screen: screen, glyphs: screen.isUTF8 ? .unicode : .ascii)
        if let notice = screen.fallbackNotice { state.status = notice }
        let shown = ShownPath.of(file.path)
        var dirty = true
        while !state.shouldQuit {
            if dirty {
                let (h, w) = screen.size
                let grid = LabelRenderer.grid(rows: h, columns: w)
                state.setGrid(columns: grid.columns, rows: grid.rows)
                renderer.draw(state, pictures: pictures, file: shown)
                render(state.pageSeeds)
                renderer.draw(state, pictures: pictures, file: shown)
                dirty = false
            }
            let key = screen.getKey(timeoutMs: 500)
            if key == .none { continue }
            dirty = true
            for e in state.handle(key) {
                switch e {
                case .save:
                    do { try state.labels.save(to: file) } catch {
                        state.status = "cannot save \(shown): \(error.localizedDescription)"
                    }
                case .quit: break
                }
            }
        }
    }
}
