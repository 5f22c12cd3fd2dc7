import Foundation
import SC2Engine
import XCTest

/// The labelling view as a person uses it, in tmux: label 20 faces by what they show (here the
/// renderer-trained classifier stands in for the person's eye), quit, fit a direction on the
/// file. The direction must point where the attribute's predictor-fitted one points: labels
/// typed from the faces carry the attribute.
final class LabellingTmuxTests: TmuxTestCase {
    func testLabelTwentyFacesThenFit() throws {
        let model = CLI.packageRoot.appendingPathComponent("assets/faceworld/generator.safetensors")
        let g = try Generator(contentsOf: model)
        let classifier = try AttributeClassifier(contentsOf: CLI.packageRoot.appendingPathComponent("assets/faceworld/classifier.safetensors"))
        // What the faces of seeds 0-19 show (truncation 0.7, as the view draws them).
        let seeds = (0..<UInt32(20)).map { $0 }
        let a = try classifier.requiredIndex(of: "smile")
        let shows = try classifier.probabilities(generated: g.synthesis(g.ws(z: g.latents(seeds: seeds), truncation: 0.7))).map { $0[a] > 0.5 }
        XCTAssertGreaterThanOrEqual(shows.filter { $0 }.count, 5)
        XCTAssertGreaterThanOrEqual(shows.filter { !$0 }.count, 5)

        let s = TmuxSession()
        session = s
        try s.start(width: 120, height: 40)
        let file = work.appendingPathComponent("smile.labels.json")
        let env = "TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 SC2GAN_ASSETS=\(CLI.packageRoot.appendingPathComponent("assets").path)"
        let run = "cd '\(work.path)' && env \(env) '\(CLI.binary.path)' explore --label smile --labels smile.labels.json; echo SC2GAN\"\"-EXIT=$?"
        try s.type(run)
        let first = try s.waitFor("the grid") { $0.contains("label smile") && $0.contains("▀") }
        XCTAssertTrue(first.contains("0 present") && first.contains("0 ?"), first)

        // Ten labels, quit, resume, ten more: every key is saved, the rerun goes on at seed 10.
        for i in 0..<10 { try s.keys(shows[i] ? "y" : "n") }
        _ = try s.waitFor("ten labels") { $0.contains("seed 9: ") }
        try s.keys("q")
        _ = try s.waitFor("the exit") { $0.contains("SC2GAN-EXIT=0") }
        XCTAssertEqual(try HandLabels.load(file).entries.count, 10)
        try s.type("clear")
        try s.type(run)
        let resumed = try s.waitFor("the resumed grid") { $0.contains("label smile") && $0.contains("▶ 10 ?") }
        XCTAssertTrue(resumed.contains("\(shows[..<10].filter { $0 }.count) present"), resumed)
        for i in 10..<20 { try s.keys(shows[i] ? "y" : "n") }
        _ = try s.waitFor("twenty labels") { $0.contains("seed 19: ") }
        try s.keys("q")
        _ = try s.waitFor("the exit") { $0.contains("SC2GAN-EXIT=0") }

        let labels = try HandLabels.load(file)
        XCTAssertEqual(labels.entries.map(\.seed), seeds)
        XCTAssertEqual(labels.entries.map { $0.label == .present }, shows)
        XCTAssertEqual(labels.modelHash, g.hash)

        let out = work.appendingPathComponent("smile.json")
        let r = try CLI.run(["directions", "fit", "--labels", file.path, "--method", "class-mean", "--out", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("20 hand labels"), r.stdout)
        let d = try Direction.load(out)
        XCTAssertEqual(d.attribute, "smile")
        XCTAssertEqual(d.provenance["source"], "hand labels")
        let shipped = try Direction.load(CLI.packageRoot.appendingPathComponent("assets/faceworld/directions/smile.interfacegan.json"))
        func dot(_ x: [Float], _ y: [Float]) -> Double { zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        let cos = dot(d.vector, shipped.vector) / (dot(d.vector, d.vector).squareRoot() * dot(shipped.vector, shipped.vector).squareRoot())
        print("labelling: cosine of the 20-label class-mean direction with the shipped smile direction \(cos)")
        // Chance in 512 dimensions is about ±0.044 (one sd); 20 labels gave 0.39 when written.
        XCTAssertGreaterThan(cos, 0.2, "cosine \(cos) with the predictor-fitted smile direction")

        // Too few of a class, another model's labels: one line each.
        let few = try CLI.run(["directions", "fit", "--labels", file.path, "--out", out.path, "--model",
                               CLI.fixtures.appendingPathComponent("parity/nv32.safetensors").path])
        XCTAssertNotEqual(few.status, 0)
        XCTAssertTrue(few.stderr.contains("labels faces of model"), few.stderr)
    }
}
