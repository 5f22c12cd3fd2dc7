import ArgumentParser
import Foundation
import SC2Engine
import SC2Explorer
import TerminalCurses
import TerminalUI

/// `sc2gan explore` (also `sc2gan` alone): the terminal explorer.
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Walk one seed along the original, conditional and SC²-corrected directions, side by side, in the terminal.",
        discussion: KeyBinding.summary + "\n\nWithout --model, uses the FaceWorld model shipped in assets/ with its classifier and directions.")

    @Option(name: .long, help: ArgumentHelp("Generator checkpoint (.safetensors, rosinality .pt, or a rosinality training checkpoint). Default: the FaceWorld model in assets/faceworld (found next to the binary, in the checkout, or at $SC2GAN_ASSETS).", valueName: "path"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Which generator of a training checkpoint: g_ema (the weights' moving average) or g (the network being trained).", valueName: "g_ema|g"))
    var use: GeneratorChoice = .ema

    @Option(name: .long, help: ArgumentHelp("A testbed kept in assets/testbeds instead of --model, with its directions, e.g. strong (the paper's regime: rare combinations nearly missing).", valueName: "name"))
    var testbed: String?

    @OptionGroup var classifierOptions: ClassifierOptions

    @Option(help: ArgumentHelp("Folder of directions (<attribute>.<method>.json). Default: assets/faceworld/directions for the FaceWorld model, else MODEL.directions next to the model.", valueName: "dir"))
    var directions: String?

    @Option(help: "Seed to start from (default: the first seed from 0 on which the attribute is absent, so that Right adds it).")
    var seed: UInt32?

    @Option(help: ArgumentHelp("Attribute to walk (default: the first).", valueName: "name"))
    var attribute: String?

    @Option(help: ArgumentHelp("Truncation psi (1 = none).", valueName: "psi"))
    var truncation: Float = 0.7

    @Option(help: ArgumentHelp("Alpha per step along the unit directions, the same for every direction (equal α). Without it the explorer opens in equal effect: each direction steps by its own α, calibrated so that two steps raise the target by 0.5 on average (key a switches to equal α at 0.5).", valueName: "size"))
    var step: Float?

    @Option(name: .customLong("export-dir"), help: ArgumentHelp("Folder for exports (created when needed).", valueName: "dir"))
    var exportDir: String = "exports"

    @Option(help: ArgumentHelp("Colours: auto (24-bit when COLORTERM=truecolor or 24bit says the terminal shows them, else what TERM describes; 256 colours are dithered), 24bit, 256 or ascii.", valueName: "mode"))
    var colors: ColorPreference = .automatic

    @Option(help: ArgumentHelp("Open the labelling view for this attribute instead: a grid of faces from --seed on, each marked present, absent or skipped by hand, saved to --labels as typed (a rerun goes on where it stopped). Then `sc2gan directions fit --labels FILE`.", valueName: "name"))
    var label: String?

    @Option(help: ArgumentHelp("The labels file of --label (JSON; created, or resumed when it exists).", valueName: "file"))
    var labels: String?

    @Option(help: ArgumentHelp("Write one JSON line per key press with its latency (key to frame on screen).", valueName: "file"))
    var trace: String?

    func validate() throws {
        if model != nil, testbed != nil { throw ValidationError("--model and --testbed both name a generator; give one") }
        if label != nil, labels == nil { throw ValidationError("--label needs --labels FILE (where the labels are saved as you type)") }
        if labels != nil, label == nil { throw ValidationError("--labels goes with --label NAME (the attribute you label)") }
        if let labels { try OutputCheck.file(labels, "--labels") }
        guard truncation.isFinite else { throw ValidationError("--truncation must be a finite number") }
        if let step, !(step.isFinite && step > 0) { throw ValidationError("--step must be a positive number") }
    }

    func run() throws {
        // Everything that can fail is loaded before the screen starts, so errors print as one
        // line on a normal terminal.
        let faceWorld = try? Configuration.current.requireAssets().faceWorldDirectory.standardizedFileURL
        let testbedURL = try testbed.map { try Configuration.current.requireAssets().testbed($0) }
        let modelURL = try testbedURL.map { $0.appendingPathComponent("generator.safetensors") }
            ?? model.map { URL(fileURLWithPath: $0) } ?? DefaultModel.generatorURL()
        let generator = try Generator(contentsOf: modelURL, choice: use)
        if let label, let labels { return try runLabelling(generator, attribute: label, file: URL(fileURLWithPath: labels)) }
        // A testbed is a FaceWorld generator too: FaceWorld's classifier applies.
        let isFaceWorld = testbedURL != nil || (faceWorld.map { modelURL.standardizedFileURL.deletingLastPathComponent().path == $0.path } ?? false)

        let (classifier, classifierNote) = try classifierOptions.loadOptional(faceWorld: isFaceWorld ? faceWorld : nil, for: generator)
        let directionsURL: URL
        if let directions {
            directionsURL = URL(fileURLWithPath: directions)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directions, isDirectory: &isDir), isDir.boolValue else {
                throw SC2Error("\(directions): no such folder (--directions takes a direction library folder; mkdir it to start an empty one)")
            }
        } else if let testbedURL {
            directionsURL = testbedURL.appendingPathComponent("directions")
        } else if isFaceWorld, let faceWorld {
            directionsURL = faceWorld.appendingPathComponent("directions")
        } else {
            directionsURL = URL(fileURLWithPath: modelURL.deletingPathExtension().path + ".directions")
        }
        let store = ExplorerDirectionStore(library: DirectionLibrary(directory: directionsURL),
                                           wDim: generator.config.wDim, numWs: generator.config.numWs,
                                           modelHash: generator.hash)

        var attributes = classifier?.attributes ?? (isFaceWorld ? FaceAttribute.allCases.map(\.rawValue) : [])
        for a in store.attributesOnDisk() where !attributes.contains(a) { attributes.append(a) }
        var index = 0
        if let attribute {
            guard let i = try? AttributeLookup.index(of: attribute, in: attributes) else {
                throw AttributeLookup.unknown(attribute, known: attributes, hint: "none: pass --predictor or --directions")
            }
            index = i
        }
        let traceFile = try trace.map { try ExplorerTrace(path: $0) }
        let prefetch = Configuration.current.explorePrefetch
        let finder = classifier.map { AbsentSeedFinder(generator: generator, classifier: $0, truncation: truncation) }
        var start = seed ?? 0
        // The first screen: with neither seed nor attribute given, where three Rights show the point
        // (the original drags a correlated attribute along, the corrected one does not).
        var opened: FirstScreen?
        // Calibrations and the first screen shipped with the directions (`directions calibrate`).
        let shipped = directionsURL.appendingPathComponent(DirectionLibrary.explorerCacheFolder)
        if seed == nil, attribute == nil, step == nil, let classifier {
            opened = FirstScreen.find(generator: generator, predictor: classifier, store: store, attributes: attributes,
                                      truncation: truncation, cacheDirectory: Configuration.current.cacheDirectory,
                                      shippedDirectory: shipped) { line in
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
            if let opened, let i = attributes.firstIndex(of: opened.attribute) {
                index = i
                start = opened.seed
            }
        }
        if seed == nil, opened == nil, let finder, attributes.indices.contains(index) {
            start = finder.firstAbsent(attributes[index], from: 0)
        }

        let app = ExplorerApp(ExplorerApp.Setup(
            generator: generator, classifier: classifier, classifierNote: classifierNote, store: store,
            state: explorerState(seed: start, attributes: attributes, index: index, opened: opened),
            truncation: truncation, exportDirectory: URL(fileURLWithPath: exportDir), trace: traceFile,
            correctedProvider: CorrectedDirections.provider, prefetch: prefetch, seedFinder: finder,
            cacheDirectory: Configuration.current.cacheDirectory, shippedCacheDirectory: shipped))
        try app.run(on: TerminalSession.screen(colors: colors))
        if app.leftBackgroundWork {
            // The terminal is restored; a direction computation is still running. Leave now,
            // without exit handlers that would pull the BLAS buffers from under it.
            FileHandle.standardError.write("quit while computing directions: the unfinished computation was dropped\n".data(using: .utf8)!)
            fflush(nil)
            _exit(0)
        }
    }


    /// The opening state: equal effect unless --step names an α for every direction.
    func explorerState(seed: UInt32, attributes: [String], index: Int, opened: FirstScreen?) -> ExplorerState {
        var s = ExplorerState(seed: seed, attributes: attributes, attributeIndex: index, stepSize: step ?? 0.5)
        s.equalEffect = step == nil
        if let opened {
            s.status = "\(opened.attribute) on seed \(opened.seed): press \u{2192} three times and watch \(opened.correlated) in the original pane, not in SC\u{00B2}"
        }
        return s
    }

    /// The labelling view: a new labels file, or the existing one resumed (same attribute and model).
    func runLabelling(_ g: Generator, attribute: String, file: URL) throws {
        var labels = HandLabels(attribute: attribute, model: g.path, modelHash: g.hash, truncation: truncation)
        if FileManager.default.fileExists(atPath: file.path) {
            let existing = try HandLabels.load(file)
            guard existing.attribute.lowercased() == attribute.lowercased() else {
                throw SC2Error("\(file.path) holds labels of '\(existing.attribute)', not '\(attribute)': pass another --labels file")
            }
            guard existing.modelHash == g.hash else {
                throw SC2Error("\(file.path) labels faces of model #\(existing.modelHash.prefix(8)) (\(existing.model)); this is #\(g.hash.prefix(8)): pass that --model or another --labels file")
            }
            if existing.truncation != truncation {
                FileHandle.standardError.write(Data("\(file.path): going on with its truncation \(existing.truncation) (not \(truncation))\n".utf8))
            }
            labels = existing
        } else {
            try labels.save(to: file)       // fails now, on a normal terminal, when the folder is not writable
        }
        let app = LabelApp(generator: g, file: file, labels: labels, first: seed ?? 0)
        try app.run(on: TerminalSession.screen(colors: colors))
        let l = app.labels
        print("\(l.count(.present)) present, \(l.count(.absent)) absent, \(l.count(.skip)) skipped in \(file.path); fit with: sc2gan directions fit --labels \(file.path) --out \(l.attribute).json")
    }
}

extension ColorPreference: ExpressibleByArgument {}
