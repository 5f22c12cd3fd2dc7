import ArgumentParser
import Foundation
import SC2Engine
import SC2Explorer
import Tensor

struct DirectionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directions",
        abstract: "Find editing directions and study the entanglement of attributes.",
        subcommands: [Fit.self, Study.self, Rebuild.self, Export.self, Show.self, Calibrate.self])

    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit a direction (InterFaceGAN SVM, class means, or a SeFa component), optionally conditioned on other attributes.")
        @OptionGroup var engine: EngineOptions
        @Option(help: "Target attribute (with --labels: the file's, unless given).") var attribute: String?
        @Option(help: ArgumentHelp("Fit on hand labels from the explorer's labelling view (`sc2gan explore --label NAME --labels FILE`) instead of a predictor's scores.", valueName: "file"))
        var labels: String?
        @Option(help: "Method: interfacegan (or svm), class-mean, logistic, ganspace (GANSpace as its authors run it: PCA of w over --pca-samples random samples, unsupervised), class-pca (PCA of InterFaceGAN's two extreme classes: supervised, sc2gan's ganspace before 2026-12-07), or sefa (closed-form factorisation of the generator's style weights: unsupervised).") var method: FitMethod = .interfacegan
        @Option(help: "sefa, ganspace: the component to write (0 = largest eigenvalue or variance; the attribute only names the file's direction). Without it, the component among the first 20 that tracks --attribute best on the dense samples, signed to raise it.")
        var component: Int?
        @Option(help: ArgumentHelp("W+ rows the direction edits, e.g. 0-3 or 2,4 (default: all). With sefa only those layers' style weights are factorised, as SeFa's authors do (0-1 pose, 2-5 shape, 6-13 texture on 18 rows); a GANSpace edit is a component on a row range.", valueName: "rows"))
        var layers: String?
        @Option(help: "ganspace: random w samples for the PCA (default 100000; the authors used about a million).")
        var pcaSamples: Int?
        @Option(help: ArgumentHelp("ganspace: also write every component as GANSpace writes them (.npz: lat_comp, lat_mean, lat_stdev, var_ratio), or, for a .pt file, as e4e's ffhq_pca.pt holds a PCA of w (mean, comp, std).", valueName: "file"))
        var componentsOut: String?
        @Option(help: ArgumentHelp("ganspace: also write the PCA's w samples as .npy (N, w_dim), to check the PCA elsewhere (the PCA is then computed, not read from the cache).", valueName: "file"))
        var dumpW: String?
        @Option(help: "Condition on these attributes (comma-separated), InterFaceGAN's conditional manipulation.")
        var conditions: String?
        @Option(help: "Output JSON file.") var out: String

        func validate() throws {
            if labels == nil, attribute == nil { throw ValidationError("--attribute is needed (or --labels FILE, whose attribute is used)") }
            if labels != nil, method == .sefa { throw ValidationError("--labels: SeFa is unsupervised; it takes no labels") }
            if labels != nil, conditions != nil { throw ValidationError("--labels: --conditions needs a predictor's scores of the other attributes") }
            if method == .sefa || method == .ganspace, conditions != nil { throw ValidationError("--conditions: not with --method \(method.rawValue)") }
            if labels != nil, method == .ganspace { throw ValidationError("--labels: GANSpace is unsupervised; it takes no labels") }
            if let component {
                guard method == .sefa || method == .ganspace else { throw ValidationError("--component is for --method sefa or ganspace") }
                try OptionCheck.range(component, 0...8191, "--component")
            }
            if let layers { _ = try LayerRange.parse(layers) }
            if method != .ganspace, pcaSamples != nil || componentsOut != nil || dumpW != nil {
                throw ValidationError("--pca-samples, --components-out and --dump-w are for --method ganspace")
            }
            if let pcaSamples { try OptionCheck.range(pcaSamples, 2...10_000_000, "--pca-samples") }
            if let componentsOut { try OutputCheck.file(componentsOut, "--components-out") }
            if let dumpW { try OutputCheck.file(dumpW, "--dump-w") }
            try OutputCheck.file(out, "--out")
        }

        func run() throws {
            if let labels { return try fitLabels(URL(fileURLWithPath: labels)) }
            let attribute = self.attribute!
            if method == .ganspace { return try fitGANSpace(attribute) }
            let rows = try layers.map { try LayerRange.parse($0) }
            if method == .sefa, let component {
                // No predictor or samples: the component straight from the checkpoint.
                let g = try engine.modelOptions.load()
                if let rows { try LayerRange.check(rows, g) }
                let all = SeFa.components(of: g, layers: rows)
                guard component < all.count else { throw SC2Error("--component \(component): this generator has \(all.count) components (0-\(all.count - 1))") }
                let d = SeFa.direction(all[component], attribute: attribute, layers: rows, provenance: ["model_hash": g.hash])
                try d.save(to: URL(fileURLWithPath: out))
                print(String(format: "sefa component %d (eigenvalue %.4g), written to %@", component, all[component].eigenvalue, out))
                return
            }
            let (g, c) = try engine.load()
            if let rows { try LayerRange.check(rows, g) }
            let attr = try engine.attributeName(attribute, c)
            let conditionNames = try conditions.map { try engine.attributeList($0, c, excluding: attr, flag: "--conditions") }
            let dense = try engine.denseSamples(g, c)
            if method == .sefa {
                let (comp, r) = try SeFa.tracking(attr, in: dense, components: SeFa.components(of: g, layers: rows))
                var prov = dense.provenance
                prov["correlation"] = String(format: "%.4f", r)
                let d = SeFa.direction(comp, attribute: attr, layers: rows, provenance: prov)
                try d.save(to: URL(fileURLWithPath: out))
                print(String(format: "sefa component %d tracks %@ best (|r| %.3f on %d samples), written to %@", comp.index, attr, r, dense.count, out))
                return
            }
            guard let finder = method.finder else { return }
            let fit = try DirectionFitter().fit(finder, attribute: attr, codes: dense.codes, scores: try dense.scores(of: attr),
                                                provenance: dense.provenance)
            var d = fit.direction
            if let names = conditionNames {
                // The conditions' directions come from the same method as the target's.
                var b = DirectionBuilder(samples: dense)
                b.finder = finder
                d = try b.conditional(attr, original: d, conditions: names)
            }
            if let rows { d.layers = rows }
            try d.save(to: URL(fileURLWithPath: out))
            print(String(format: "%@ direction for %@: validation accuracy %.1f%% (%d per class), written to %@",
                         d.method, attr, fit.validationAccuracy * 100, fit.perClass, out))
        }

        /// GANSpace as its authors run it: PCA of w over random samples, the component given or
        /// the one that tracks the attribute on the dense samples, on the rows --layers names.
        func fitGANSpace(_ attribute: String) throws {
            var g = try engine.modelOptions.load()
            let rows = try layers.map { try LayerRange.parse($0) }
            if let rows { try LayerRange.check(rows, g) }
            let n = pcaSamples ?? 100_000
            var dumped: [Float] = []
            if dumpW != nil { dumped.reserveCapacity(n * g.config.wDim) }
            let bar = ProgressBar("pca samples", total: n)
            var drawn = 0
            let start = Date()
            func each(_ w: Tensor) {
                if dumpW != nil { dumped += w.data }
                drawn += w.shape[0]
                bar.update(drawn)
            }
            // Cached beside the sample sets, unless the samples themselves are wanted.
            let cacheDir = engine.cache.map { URL(fileURLWithPath: $0) } ?? Configuration.current.cacheDirectory
            let (pca, cached) = dumpW == nil ? try GANSpacePCA.cached(in: cacheDir, generator: g, samples: n, each: each)
                                             : (try GANSpacePCA(generator: g, samples: n, each: each), false)
            let seconds = Date().timeIntervalSince(start)
            bar.finish(String(format: "PCA of %d w samples %@ %.1f s: the first 5 components hold %@ of the variance", n,
                              cached ? "from the cache (\(cacheDir.path)) in" : "in", seconds,
                              pca.varianceRatios.prefix(5).map { String(format: "%.3f", $0) }.joined(separator: ", ")))
            if let dumpW { try AtomicWrite.write(NPY.encode(float32: dumped, shape: [n, g.config.wDim]), to: URL(fileURLWithPath: dumpW)) }
            if let componentsOut {
                let url = URL(fileURLWithPath: componentsOut)
                if url.pathExtension.lowercased() == "pt" { try pca.savePCAPt(to: url) } else { try pca.saveNPZ(to: url) }
            }
            let d: Direction, how: String
            if let component {
                guard component < pca.components.count else {
                    throw SC2Error("--component \(component): the PCA keeps \(pca.components.count) components (0-\(pca.components.count - 1))")
                }
                d = pca.direction(component, attribute: attribute, layers: rows, provenance: ["model_hash": g.hash])
                how = "component \(component)"
            } else {
                let c: any AttributePredictor
                (g, c) = try engine.load()
                let attr = try engine.attributeName(attribute, c)
                let dense = try engine.denseSamples(g, c)
                let (k, r) = pca.tracking(codes: dense.codes, scores: try dense.scores(of: attr))
                var prov = dense.provenance
                prov["correlation"] = String(format: "%.4f", abs(r))
                d = pca.direction(k, attribute: attr, layers: rows, negated: r < 0, provenance: prov)
                how = String(format: "component %d tracks %@ best (|r| %.3f on %d samples)", k, attr, abs(r), dense.count)
            }
            try d.save(to: URL(fileURLWithPath: out))
            print("ganspace \(how), variance ratio \(d.provenance["var_ratio"]!), stdev \(d.provenance["stdev"]!)\(rows.map { ", rows \(LayerRange.text($0))" } ?? ""), written to \(out)")
        }

        /// A direction from a labels file: the seeds' w under the file's truncation, classes as typed.
        func fitLabels(_ url: URL) throws {
            let file = try HandLabels.load(url)
            let g = try engine.modelOptions.load()
            guard file.modelHash == g.hash else {
                throw SC2Error("\(url.path) labels faces of model #\(file.modelHash.prefix(8)) (\(file.model)); this is #\(g.hash.prefix(8)) (\(g.path)): pass that model with --model")
            }
            let attr = attribute ?? file.attribute
            guard let finder = method.finder else { return }
            let (seeds, codes, present) = file.samples(g)
            var prov = ["model_hash": g.hash, "labels": url.path, "labels_hash": ContentHash.ofFile(url.path),
                        "truncation": "\(file.truncation)", "seeds": seeds.isEmpty ? "" : "\(seeds.count) labelled"]
            prov["source"] = "hand labels"
            let fit = try DirectionFitter().fit(finder, attribute: attr, codes: codes, present: present, provenance: prov)
            try fit.direction.save(to: URL(fileURLWithPath: out))
            print(String(format: "%@ direction for %@ from %d hand labels (%d present, %d absent, %d skipped): validation accuracy %.1f%%, written to %@",
                         fit.direction.method, attr, seeds.count, file.count(.present), file.count(.absent), file.count(.skip),
                         fit.validationAccuracy * 100, out))
        }
    }

    struct Study: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The entanglement study: correlation of attribute labels in the samples, and cosines of the directions.")
        @OptionGroup var engine: EngineOptions
        @Option(help: "Also write the matrices as JSON here.") var json: String?

        func validate() throws { if let json { try OutputCheck.file(json, "--json") } }

        func run() throws {
            let (g, c) = try engine.load()
            let dense = try engine.denseSamples(g, c)
            let phi = dense.labelCorrelation()
            let names = c.attributes
            let builder = DirectionBuilder(samples: dense)
            let dirs = try names.map { try builder.original($0) }
            let freq = try names.map { n in Statistics.mean(try dense.scores(of: n).map { $0 > 0.5 ? 1.0 : 0.0 }) }
            print("label correlation (phi) of \(dense.count) generated samples, and frequency of each attribute:")
            print(Self.matrix(phi, names: names, extra: freq.map { String(format: "%5.1f%%", $0 * 100) }))
            if names.count > 2 {
                let pairs = Self.strongest(phi, names: names)
                print(pairs.isEmpty ? "no pair of attributes has |phi| >= 0.1\n" : "strongest label correlations:\n" + pairs + "\n")
            }
            let cells = try Self.rareCells(phi, names: names, dense: dense)
            if !cells.isEmpty {
                print("rare combinations of the correlated pairs (|phi| >= 0.3), share of the \(dense.count) samples:")
                print(cells.map(\.line).joined(separator: "\n") + "\n")
            }
            print("cosine between InterFaceGAN directions:")
            print(Self.matrix(dirs.map { a in dirs.map { Double(a.cosine($0)) } }, names: names, extra: nil))
            if let json {
                let obj: [String: Any] = ["attributes": names, "phi": phi, "frequency": freq,
                                          "direction_cosine": dirs.map { a in dirs.map { Double(a.cosine($0)) } },
                                          "cells": cells.map(\.json),
                                          "provenance": dense.provenance]
                try AtomicWrite.write(try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys]),
                                      to: URL(fileURLWithPath: json))
            }
        }

        /// A square matrix with a row per attribute. Up to 8 attributes the columns are named;
        /// with more (a CelebA predictor has 40) they are numbered like the rows, to keep lines short.
        static func matrix(_ m: [[Double]], names: [String], extra: [String]?) -> String {
            let numbered = names.count > 8
            let label = numbered ? min(24, names.map(\.count).max() ?? 0) + 4 : 11
            func rowName(_ i: Int) -> String {
                let n = numbered ? String(format: "%2d ", i + 1) + String(names[i].prefix(label - 4)) : names[i]
                return n.padding(toLength: label, withPad: " ", startingAt: 0)
            }
            var s = String(repeating: " ", count: label)
            s += numbered ? names.indices.map { String(format: "%5d ", $0 + 1) }.joined()
                          : names.map { String($0.prefix(9)).padding(toLength: 10, withPad: " ", startingAt: 0) }.joined()
            if extra != nil { s += "  freq" }
            s += "\n"
            for (i, row) in m.enumerated() {
                s += rowName(i)
                s += row.map { String(format: numbered ? "%+5.2f " : "%+5.2f     ", $0) }.joined()
                if let e = extra { s += e[i] }
                s += "\n"
            }
            return s
        }

        /// For each pair with |phi| >= 0.3 (strongest first), its two rare cells: for a positive
        /// correlation a without b and b without a, for a negative one both together and neither.
        static func rareCells(_ phi: [[Double]], names: [String], dense: SampleSet) throws -> [(line: String, json: [String: Any])] {
            var pairs: [(Int, Int)] = []
            for i in names.indices { for j in names.indices where j > i && phi[i][j].isFinite && abs(phi[i][j]) >= 0.3 { pairs.append((i, j)) } }
            pairs.sort { abs(phi[$0.0][$0.1]) > abs(phi[$1.0][$1.1]) }
            return try pairs.prefix(20).map { (i, j) in
                let n = try dense.cellCounts(names[i], names[j])   // off/off, off/on, on/off, on/on
                let total = Double(max(dense.count, 1))
                let (a, b) = (names[i], names[j])
                let rare: [(String, Int)] = phi[i][j] > 0
                    ? [("\(a) without \(b)", n[2]), ("\(b) without \(a)", n[1])]
                    : [("\(a) with \(b)", n[3]), ("neither \(a) nor \(b)", n[0])]
                let line = String(format: "  %+5.2f  ", phi[i][j]) + rare.map { String(format: "%@ %.2f%% (%d)", $0.0, Double($0.1) / total * 100, $0.1) }
                    .joined(separator: ", ")
                return (line, ["a": a, "b": b, "phi": phi[i][j], "counts": n,
                               "rare": rare.map { ["cell": $0.0, "count": $0.1, "share": Double($0.1) / total] as [String: Any] }])
            }
        }

        /// The most correlated pairs (|phi| >= 0.1, strongest first, at most `limit`), one a line.
        static func strongest(_ phi: [[Double]], names: [String], limit: Int = 20) -> String {
            var pairs: [(Int, Int, Double)] = []
            for i in names.indices { for j in names.indices where j > i && phi[i][j].isFinite && abs(phi[i][j]) >= 0.1 { pairs.append((i, j, phi[i][j])) } }
            return pairs.sorted { abs($0.2) > abs($1.2) }.prefix(limit)
                .map { String(format: "  %+5.2f  ", $0.2) + "\(names[$0.0]) ~ \(names[$0.1])" }.joined(separator: "\n")
        }
    }

    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild-defaults",
            abstract: "Recompute the original, conditional and SC²-corrected directions of every attribute into a library folder.",
            discussion: "For the default model: sc2gan directions rebuild-defaults --out assets/faceworld/directions")
        @OptionGroup var engine: EngineOptions
        @OptionGroup var correction: CorrectionOptions
        @Option(help: "Attributes (comma-separated; default: all).") var attributes: String?
        @Option(help: "Library folder.") var out: String

        func validate() throws {
            if correction.rows != nil {
                throw ValidationError("--rows picks one attribute's rows: use it with `sc2gan correct --attribute A`")
            }
            if correction.base != "interfacegan" || correction.learner != nil {
                throw ValidationError("--base and --learner: the shipped library is InterFaceGAN's; use them with `sc2gan correct --attribute A`")
            }
            try OutputCheck.folder(out, "--out")
        }

        func run() throws {
            let (g, c) = try engine.load()
            let names = try attributes.map { try $0.split(separator: ",").map { try engine.attributeName(String($0), c) } } ?? c.attributes
            guard Set(names).count == names.count else { throw SC2Error("--attributes lists an attribute twice") }
            // --correlated applies to every attribute but its own entry.
            let corr = try correction.correlated.map { try $0.split(separator: ",").map { try engine.attributeName(String($0), c) } }
            let dense = try engine.denseSamples(g, c)
            let lib = DirectionLibrary(directory: URL(fileURLWithPath: out))
            let builder = DirectionBuilder(samples: dense)
            for name in names {
                let original = try builder.original(name)
                try lib.save(original, method: .original)
                try lib.save(try builder.conditional(name, original: original), method: .conditional)
                let (corrected, report) = try correction.run(g, c, attribute: name, dense: dense, original: original,
                                                             correlated: corr.map { $0.filter { $0 != name } })
                try lib.save(corrected, method: .corrected)
                print(CorrectionOptions.summary(report))
            }
            print("wrote \(names.count * 3) directions to \(out)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a direction in another format: npy (an InterFaceGAN boundary of shape (1, D), float32; (1, num_ws, D) for a direction with a vector per row), json, or pt (a torch-saved dict of boundaries, as anycost-gan's boundary files hold; several directions in one file).")
        @Argument(help: "Direction file (JSON, .npy, .pt, .npz; FILE#KEY picks one of several: `directions show FILE`); with --format pt, one or more.")
        var files: [String]
        @Option(help: "npy, json, or pt.") var format: DirectionFormat = .npy
        @Option(help: ArgumentHelp("pt: the dict's keys, one per file, comma-separated (default: each direction's attribute; anycost-gan's own look like 31_Smiling).", valueName: "list"))
        var keys: String?
        @Option(help: "Output file.") var out: String

        func validate() throws {
            try OutputCheck.file(out, "--out")
            guard !files.isEmpty else { throw ValidationError("give a direction file to export") }
            if format != .pt, files.count > 1 { throw ValidationError("--format \(format.rawValue) writes one direction; several go into one file with --format pt") }
            if format != .pt, keys != nil { throw ValidationError("--keys names the entries of a --format pt dict") }
            if let keys {
                let k = keys.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard k.count == files.count else { throw ValidationError("--keys: \(k.count) keys for \(files.count) files") }
                guard Set(k).count == k.count, !k.contains("") else { throw ValidationError("--keys: each key once, none empty") }
            }
        }

        func run() throws {
            let ds = try files.map { try Direction.load(reference: $0) }
            let url = URL(fileURLWithPath: out)
            switch format {
            case .npy: try ds[0].saveBoundary(to: url)
            case .json: try ds[0].save(to: url)
            case .pt:
                let names = keys.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? ds.map(\.attribute)
                guard Set(names).count == names.count else {
                    throw SC2Error("two directions are for the same attribute (\(names.joined(separator: ", "))): name the entries with --keys")
                }
                try TorchSave.write(dictionary: zip(names, ds).map { name, d in
                    if let rows = d.rows {
                        let touched = Set(d.layers ?? Array(rows.indices))
                        return (name, rows.indices.flatMap { touched.contains($0) ? rows[$0] : [Float](repeating: 0, count: d.vector.count) }, [1, rows.count, d.vector.count])
                    }
                    return (name, d.vector, [1, d.vector.count])
                }, to: url)
            }
            for d in ds { print("wrote \(out): \(d.attribute) (\(d.method)), \(d.vector.count) dimensions, \(format.rawValue)") }
            let ranged = ds.filter { $0.layers != nil && $0.rows == nil }
            if format != .json, !ranged.isEmpty {
                print("note: \(ranged.map(\.attribute).joined(separator: ", ")) edits W+ rows \(ranged.map { LayerRange.text($0.layers!) }.joined(separator: "; ")) only; a boundary file holds the vector, not the rows")
            }
        }
    }

    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Precompute the explorer's equal-effect calibrations and first screen for a direction library, into DIR/explorer-cache (shipped with the library, so that the explorer opens at once).")
        @Argument(help: "Direction library folder.") var directory: String
        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var classifierOptions: ClassifierOptions
        @Option(help: ArgumentHelp("Truncation psi the explorer will use (its default: 0.7).", valueName: "psi")) var truncation: Float = 0.7

        func run() throws {
            let g = try modelOptions.load()
            let c = try classifierOptions.load(for: g)
            let dir = URL(fileURLWithPath: directory)
            let out = dir.appendingPathComponent(DirectionLibrary.explorerCacheFolder)
            let (n, first) = try ExplorerCalibration.precompute(generator: g, predictor: c, library: DirectionLibrary(directory: dir),
                                                                truncation: truncation, into: out) { print($0) }
            print("calibrated \(n) directions into \(out.path)" + (first.map { "; first screen: \($0.attribute), seed \($0.seed)" } ?? "; no first screen"))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List what a direction or latent-code file holds: its arrays (keys or indices, shapes, dtypes), what it is, and what FILE#KEY picks.")
        @Argument(help: "sc2gan JSON, .npy, .npz (GANSpace components, projected_w.npz) or torch-saved .pt (latents.pt, anycost-gan boundaries, ffhq_pca.pt, pose.pt).")
        var file: String

        func run() throws {
            let url = URL(fileURLWithPath: file)
            guard Direction.isExchangeFile(url) else {
                let d = try Direction.load(url)
                print("\(file): sc2gan direction (JSON): \(d.attribute) (\(d.method)), \(d.vector.count) dimensions, rows \(d.layers.map(LayerRange.text) ?? "all")\(d.rows.map { ", a vector for each of \($0.count) rows" } ?? "")")
                return
            }
            for line in try ExchangeFile.read(url).describe() { print(line) }
        }
    }
}
