import ArgumentParser
import Foundation
import SC2Engine
import Tensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure generation speed, GEMM peak and the BLAS kernel in use (see scripts/bench/bench.sh for the side-by-side run with PyTorch).")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Images per batch.") var batch: Int = 4
    @Option(help: "Timed batches (after one warm-up batch).") var iterations: Int = 3
    @Option(help: "Square GEMM size for the peak measurement.") var gemmSize: Int = 1024
    @Option(help: "Also time re-projection (as SC²'s synthesis stage runs it) with this many gradient steps, and report the cost of one step and of the closed-form start (0: skip).")
    var reprojectSteps: Int = 0
    @Option(help: ArgumentHelp("Also time sampling as directions and correct run it (mapping, synthesis, this predictor's scores), at full resolution and with synthesis stopped at the predictor's input, side by side.", valueName: "path"))
    var predictor: String?
    @Flag(help: "Print one JSON line instead of text.") var json = false

    func validate() throws {
        try OptionCheck.range(batch, 1...64, "--batch")
        try OptionCheck.range(iterations, 1...1000, "--iterations")
        try OptionCheck.range(gemmSize, 16...4096, "--gemm-size")
        try OptionCheck.range(reprojectSteps, 0...1000, "--reproject-steps")
    }

    /// Seconds per image of a re-projection's closed-form start plus final render (steps 0),
    /// and of one gradient step, over `batch` W+ codes.
    func measureReprojection(_ g: Generator) throws -> (base: Double, step: Double) {
        let projector = try Reprojector(generator: g)
        let codes = g.broadcast(g.mapping(g.latents(seeds: (0..<UInt32(batch)).map { 1000 + $0 })))
        func time(_ steps: Int) -> Double {
            let t0 = Date()
            _ = projector.project(codes: codes, steps: steps)
            return Date().timeIntervalSince(t0) / Double(batch)
        }
        _ = time(0)
        let base = time(0), withSteps = time(reprojectSteps)
        return (base, max(withSteps - base, 0) / Double(reprojectSteps))
    }

    /// Seconds per scored sample with full-resolution images and with the early stop, timed
    /// alternately (best of two each), and the mean |Δp| between the two sets of scores.
    func measureScoring(_ g: Generator, _ p: any AttributePredictor) throws -> (full: Double, early: Double, stop: Int?, meanAbsDiff: Double) {
        var full = g, early = g
        full.earlyStopScoring = false
        early.earlyStopScoring = true
        let ws = g.broadcast(g.mapping(g.latents(seeds: (0..<UInt32(batch)).map { 2000 + $0 })))
        func time(_ h: Generator) throws -> (Double, [[Float]]) {
            let t0 = Date()
            var scores: [[Float]] = []
            for _ in 0..<iterations { scores = try h.scores(ws, by: p) }
            return (Date().timeIntervalSince(t0) / Double(batch * iterations), scores)
        }
        _ = try time(early)                                  // warm-up
        let (f1, sf) = try time(full), (e1, se) = try time(early), (f2, _) = try time(full), (e2, _) = try time(early)
        let diffs = zip(sf, se).flatMap { zip($0, $1).map { Double(abs($0 - $1)) } }
        return (min(f1, f2), min(e1, e2), early.scoringResolution(forInput: p.inputSize), diffs.reduce(0, +) / Double(max(diffs.count, 1)))
    }

    func run() throws {
        let g = try modelOptions.load()
        let scorer = try predictor.map { path -> any AttributePredictor in
            let p = try Predictors.load(URL(fileURLWithPath: path))
            try PredictorDomain.check(p, for: g)
            return p
        }
        let peak = measureGEMMPeak(size: gemmSize)
        let seeds = (0..<UInt32(batch)).map { $0 }
        _ = g.generate(seeds: seeds)                       // warm-up
        GEMMStats.reset(); GEMMStats.enabled = true
        let t0 = Date()
        for i in 0..<iterations { _ = g.generate(seeds: seeds.map { $0 + UInt32(i * batch) }) }
        let dt = Date().timeIntervalSince(t0)
        GEMMStats.enabled = false
        let (flops, gemmSeconds) = GEMMStats.totals
        let ips = Double(batch * iterations) / dt
        let inGemm = flops / gemmSeconds / 1e9
        let rp = reprojectSteps > 0 ? try measureReprojection(g) : nil
        let sc = try scorer.map { try measureScoring(g, $0) }
        let rss = peakRSSMiB()
        let scJSON = sc.map { ",\"sample_full_s\":\(fmt($0.full)),\"sample_early_stop_s\":\(fmt($0.early)),\"early_stop_resolution\":\($0.stop ?? g.config.resolution),\"early_stop_speedup\":\(fmt($0.full / $0.early)),\"early_stop_mean_abs_score_change\":\(String(format: "%.5f", $0.meanAbsDiff))" } ?? ""
        let rpJSON = rp.map { ",\"reproject_base_s\":\(fmt($0.base)),\"reproject_step_s\":\(fmt($0.step)),\"reproject_steps_timed\":\(reprojectSteps)" } ?? ""
        if json {
            print("{\"engine\":\"swift\",\"model\":\"\(g.config.resolution)\",\"batch\":\(batch),\"images_per_s\":\(fmt(ips)),\"gemm_peak_gflops\":\(fmt(peak)),\"gemm_gflops_in_synthesis\":\(fmt(inGemm)),\"gemm_time_share\":\(fmt(gemmSeconds / dt)),\"blas_kernel\":\"\(BLASRuntime.kernel)\",\"blas_threads\":\(BLASRuntime.threads),\"peak_rss_mib\":\(fmt(rss))\(rpJSON)\(scJSON)}")
        } else {
            print("model        \(g.config.summary)")
            print("BLAS         OpenBLAS kernel \(BLASRuntime.kernel), \(BLASRuntime.threads) threads")
            print(String(format: "GEMM peak    %.1f GFLOPS (%dx%d sgemm)", peak, gemmSize, gemmSize))
            print(String(format: "generation   %.2f images/s (batch %d, %d batches, %.2f s)", ips, batch, iterations, dt))
            print(String(format: "in GEMM      %.1f GFLOPS = %.0f%% of peak; %.0f%% of the time in GEMM", inGemm, 100 * inGemm / peak, 100 * gemmSeconds / dt))
            if let rp {
                print(String(format: "re-projection %.3f s per image for the start, %.3f s per gradient step (%d timed; 40 steps: %.2f s)", rp.base, rp.step, reprojectSteps, rp.base + 40 * rp.step))
            }
            if let sc, let p = scorer {
                print(String(format: "sampling     %.3f s per scored sample at %d px, %.3f s stopped at %d px for the %d px predictor: %.2fx (mean |Δp| %.4f)",
                             sc.full, g.config.resolution, sc.early, sc.stop ?? g.config.resolution, p.inputSize, sc.full / sc.early, sc.meanAbsDiff))
            }
            print(String(format: "peak memory  %.0f MiB resident", rss))
        }
    }

    func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    /// Best of a few square sgemms.
    func measureGEMMPeak(size n: Int) -> Double {
        let a = [Float](repeating: 1.0 / Float(n), count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = 0.0
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { ap in c.withUnsafeMutableBufferPointer { cp in
                gemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: ap.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
            } }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            best = max(best, 2 * Double(n) * Double(n) * Double(n) / dt / 1e9)
        }
        return best
    }
}

/// Peak resident set size of this process (VmHWM), in MiB.
func peakRSSMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kb / 1024
}
