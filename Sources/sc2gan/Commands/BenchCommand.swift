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
    @Flag(help: "Also print a per-layer profile of the synthesis (time, GEMM share and GFLOPS per layer, per op kind and per kernel phase), forward and, with --reproject-steps, backward.")
    var profile = false

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
        let forwardProfile = profile ? profileForward(g, seeds: seeds) : nil
        let rp = reprojectSteps > 0 ? try measureReprojection(g) : nil
        let backwardProfile = profile && reprojectSteps > 0 ? try profileBackward(g) : nil
        let sc = try scorer.map { try measureScoring(g, $0) }
        let rss = peakRSSMiB()
        let scJSON = sc.map { ",\"sample_full_s\":\(fmt($0.full)),\"sample_early_stop_s\":\(fmt($0.early)),\"early_stop_resolution\":\($0.stop ?? g.config.resolution),\"early_stop_speedup\":\(fmt($0.full / $0.early)),\"early_stop_mean_abs_score_change\":\(String(format: "%.5f", $0.meanAbsDiff))" } ?? ""
        let rpJSON = rp.map { ",\"reproject_base_s\":\(String(format: "%.6f", $0.base)),\"reproject_step_s\":\(String(format: "%.6f", $0.step)),\"reproject_steps_timed\":\(reprojectSteps)" } ?? ""
        if json {
            print("{\"engine\":\"swift\",\"model\":\"\(g.config.resolution)\",\"batch\":\(batch),\"images_per_s\":\(fmt(ips)),\"gemm_peak_gflops\":\(fmt(peak)),\"gemm_gflops_in_synthesis\":\(fmt(inGemm)),\"gemm_time_share\":\(fmt(gemmSeconds / dt)),\"blas_kernel\":\"\(BLASRuntime.kernel)\",\"blas_threads\":\(BLASRuntime.threads),\"vector_isa\":\"\(KernelConfiguration.vectorISA.rawValue)\",\"peak_rss_mib\":\(fmt(rss))\(rpJSON)\(scJSON)}")
        } else {
            print("model        \(g.config.summary)")
            print("BLAS         OpenBLAS kernel \(BLASRuntime.kernel), \(BLASRuntime.threads) threads; element-wise kernels \(KernelConfiguration.vectorISA.rawValue)")
            print(String(format: "GEMM peak    %.1f GFLOPS (%dx%d sgemm)", peak, gemmSize, gemmSize))
            print(String(format: "generation   %.2f images/s (batch %d, %d batches, %.2f s)", ips, batch, iterations, dt))
            print(String(format: "in GEMM      %.1f GFLOPS = %.0f%% of peak; %.0f%% of the time in GEMM", inGemm, 100 * inGemm / peak, 100 * gemmSeconds / dt))
            if let rp {
                print(String(format: "re-projection %.2f ms per image for the start, %.2f ms per gradient step (%d timed; 40 steps: %.2f s)", 1000 * rp.base, 1000 * rp.step, reprojectSteps, rp.base + 40 * rp.step))
            }
            if let sc, let p = scorer {
                print(String(format: "sampling     %.3f s per scored sample at %d px, %.3f s stopped at %d px for the %d px predictor: %.2fx (mean |Δp| %.4f)",
                             sc.full, g.config.resolution, sc.early, sc.stop ?? g.config.resolution, p.inputSize, sc.full / sc.early, sc.meanAbsDiff))
            }
            print(String(format: "peak memory  %.0f MiB resident", rss))
            if let forwardProfile { print(""); print(forwardProfile) }
            if let backwardProfile { print(""); print(backwardProfile) }
        }
    }

    /// The synthesis, `iterations` batches, with `KernelProfile` on: the table for the forward pass.
    func profileForward(_ g: Generator, seeds: [UInt32]) -> String {
        let ws = g.broadcast(g.mapping(g.latents(seeds: seeds)))
        KernelProfile.reset(); GEMMStats.reset(); KernelProfile.enabled = true
        let t0 = Date()
        for _ in 0..<iterations { _ = g.synthesis(ws) }
        let dt = Date().timeIntervalSince(t0)
        KernelProfile.enabled = false; GEMMStats.enabled = false
        return Self.profileTable("forward (synthesis only), batch \(batch), per batch", total: dt, runs: iterations)
    }

    /// One re-projection of `batch` codes with `reprojectSteps` steps, profiled: the backward table.
    func profileBackward(_ g: Generator) throws -> String {
        let projector = try Reprojector(generator: g)
        let codes = g.broadcast(g.mapping(g.latents(seeds: (0..<UInt32(batch)).map { 1000 + $0 })))
        KernelProfile.reset(); GEMMStats.reset(); KernelProfile.enabled = true
        let t0 = Date()
        _ = projector.project(codes: codes, steps: reprojectSteps)
        let dt = Date().timeIntervalSince(t0)
        KernelProfile.enabled = false; GEMMStats.enabled = false
        return Self.profileTable("re-projection, batch \(batch), \(reprojectSteps) gradient steps (forward + loss + backward), per step", total: dt, runs: reprojectSteps)
    }

    /// Layers, op kinds and kernel phases from `KernelProfile`, in ms per run.
    static func profileTable(_ title: String, total: Double, runs: Int) -> String {
        let layers = KernelProfile.layers, phases = KernelProfile.phases
        let r = Double(runs)
        var out = ["profile: \(title); \(String(format: "%.2f", 1e3 * total / r)) ms in all",
                   "  " + pad("layer", 24) + pad("kind", 22) + "   mean ms   best ms   share  GEMM ms  GEMM%  GEMM GFLOPS"]
        var kinds: [String: (Double, Double, Double)] = [:], kindOrder: [String] = []
        var sum = 0.0, gemm = 0.0
        for l in layers {
            sum += l.seconds; gemm += l.gemmSeconds
            if kinds[l.kind] == nil { kinds[l.kind] = (0, 0, 0); kindOrder.append(l.kind) }
            kinds[l.kind]!.0 += l.seconds; kinds[l.kind]!.1 += l.gemmSeconds; kinds[l.kind]!.2 += l.gemmFlops
            out.append(row(l.name, l.kind, l.seconds, l.gemmSeconds, l.gemmFlops, total: total, runs: r,
                           best: l.best * Double(l.calls) / r))
        }
        out.append(row("(outside layers)", "", total - sum, 0, 0, total: total, runs: r))
        out.append("  by op kind")
        for k in kindOrder { let v = kinds[k]!; out.append(row(k, "", v.0, v.1, v.2, total: total, runs: r)) }
        out.append(row("all GEMM", "", gemm, gemm, layers.reduce(0) { $0 + $1.gemmFlops }, total: total, runs: r))
        out.append("  kernel phases outside GEMM (wall ms per run, calls)")
        for p in phases {
            out.append("  " + pad(p.name, 46) + String(format: " %9.3f  %5.1f%%  %6d", 1e3 * p.seconds / r, 100 * p.seconds / total, p.calls / runs))
        }
        return out.joined(separator: "\n")
    }

    static func row(_ name: String, _ kind: String, _ s: Double, _ gs: Double, _ gf: Double, total: Double, runs r: Double,
                    best: Double? = nil) -> String {
        let b = best.map { String(format: "%.3f", 1e3 * $0) } ?? ""
        return "  " + pad(name, 24) + pad(kind, 22) + String(format: " %9.3f ", 1e3 * s / r)
            + String(repeating: " ", count: max(0, 9 - b.count)) + b
            + String(format: "  %5.1f%%  %7.3f  %4.0f%%  %8.1f", 100 * s / total, 1e3 * gs / r, s > 0 ? 100 * gs / s : 0,
                     gs > 0 ? gf / gs / 1e9 : 0)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
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
