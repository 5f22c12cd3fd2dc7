import SC2Engine
import TerminalUI

/// What the explorer shows and where the user is: seed, attribute, step, layout, prompt,
/// help, status. Pure: `handle(_:)` turns a key into a new state plus the effects the app must
/// carry out (render, export, compute, quit), so every transition is testable without a
/// terminal or a model.
package struct ExplorerState: Equatable {
    /// Work the app must do after a key (the state itself is already updated).
    enum Effect: Equatable {
        /// Seed, attribute or step changed: ask the worker for new pictures.
        case render
        /// The attribute changed: load its directions first (then render).
        case attributeChanged
        /// Write the current view to the export folder.
        case export
        /// Compute the missing directions of the current attribute in the background.
        case computeDirections
        /// Walk the next base method's directions (InterFaceGAN's, class means, GANSpace, ... as
        /// the library holds them for the attribute); then render.
        case nextBase
        /// Edit the next band of W+ rows (own, coarse, middle, fine); then render.
        case nextRows
        /// Move the seed on (forward) or back until the attribute is absent, where the app can
        /// tell (n/p: so that Right visibly adds it); then render.
        case seekAbsentSeed(forward: Bool)
        /// Leave the explorer.
        case quit
    }

    /// Largest |step|: beyond it a walk leaves the region the generator was trained on.
    package static let maxStep = 40
    /// Longest seed a user can type (UInt32 has 10 digits).
    package static let maxSeedDigits = 10

    var seed: UInt32
    /// Attribute names (classifier order); may be empty for a model without classifier or directions.
    let attributes: [String]
    var attributeIndex: Int
    /// Steps taken along the directions; alpha = step * stepSize.
    var step: Int = 0
    let stepSize: Float
    var layoutMode: ExplorerLayoutMode = .sideBySide
    /// Equal effect (each direction steps by its calibrated α, so that a step moves every pane's
    /// target by the same amount) or equal α (every pane by `stepSize`); `a` switches.
    package var equalEffect = true
    /// The trajectory chart under each pane (`t` hides and shows it).
    var showsChart = true
    /// The heat map of the per-pixel change from step 0 under each picture (`d`).
    var showsDifference = false
    /// The grid of many seeds at the current step, one row of faces per method (`g`).
    var showsGrid = false
    /// The base method whose original, conditional and corrected directions the panes walk
    /// (`DirectionLibrary.name`); the app moves it on with `b`.
    var base: String = DirectionLibrary.defaultBase
    /// The W+ rows every pane's direction edits (`r`): their own, or a band of StyleGAN's styles.
    var rowBand: RowBand = .own
    /// The seed being typed after `s` (nil when no prompt is open).
    var seedPrompt: String?
    var showsHelp = false
    /// The last message for the footer.
    package var status: String?
    var shouldQuit = false

    package init(seed: UInt32, attributes: [String], attributeIndex: Int = 0, stepSize: Float) {
        self.seed = seed
        self.attributes = attributes
        self.attributeIndex = attributes.isEmpty ? 0 : max(0, min(attributes.count - 1, attributeIndex))
        self.stepSize = stepSize
    }

    /// The attribute being walked (nil when there is none).
    var attribute: String? { attributes.isEmpty ? nil : attributes[attributeIndex] }

    /// The edit strength: signed distance moved along the unit direction.
    var alpha: Float { Float(step) * stepSize }

    /// Applies one key. Returns the effects to carry out, in order.
    mutating func handle(_ key: Key) -> [Effect] {
        if key == .ctrlC {
            shouldQuit = true
            return [.quit]
        }
        if key == .resize || key == .none { return [] }
        if seedPrompt != nil { return handlePrompt(key) }
        if showsHelp {
            // Any key closes the help; q still quits from it.
            showsHelp = false
            if key == .char("q") { shouldQuit = true; return [.quit] }
            return []
        }
        switch key {
        case .right: return move(to: step + 1)
        case .left: return move(to: step - 1)
        case .char("0"), .home: return move(to: 0)
        case .down, .tab: return pickAttribute(offset: +1)
        case .up, .backTab: return pickAttribute(offset: -1)
        case .char("n"):
            seed = seed &+ 1
            return [.seekAbsentSeed(forward: true), .render]
        case .char("p"):
            seed = seed &- 1
            return [.seekAbsentSeed(forward: false), .render]
        case .char("s"):
            seedPrompt = ""
            return []
        case .char("m"):
            layoutMode = layoutMode.next
            return []
        case .char("a"):
            equalEffect.toggle()
            status = equalEffect ? "equal effect: each direction steps by its calibrated \u{03B1}" : "equal \u{03B1}: every direction steps by \(stepSize)"
            return [.render]
        case .char("t"):
            showsChart.toggle()
            return showsChart ? [.render] : []
        case .char("d"):
            showsDifference.toggle()
            return []
        case .char("g"):
            showsGrid.toggle()
            return [.render]
        case .char("e"):
            return [.export]
        case .char("c"):
            return attribute == nil ? [] : [.computeDirections]
        case .char("b"):
            return attribute == nil ? [] : [.nextBase, .render]
        case .char("r"):
            return attribute == nil ? [] : [.nextRows, .render]
        case .char("?"), .char("h"), .function(1):
            showsHelp = true
            return []
        case .char("q"):
            shouldQuit = true
            return [.quit]
        default:
            return []
        }
    }

    private mutating func move(to newStep: Int) -> [Effect] {
        let clamped = max(-ExplorerState.maxStep, min(ExplorerState.maxStep, newStep))
        if clamped != newStep { status = "step limit ±\(ExplorerState.maxStep) reached" }
        guard clamped != step else { return [] }
        step = clamped
        return [.render]
    }

    private mutating func pickAttribute(offset: Int) -> [Effect] {
        guard attributes.count > 1 else { return [] }
        attributeIndex = (attributeIndex + offset + attributes.count) % attributes.count
        return [.attributeChanged, .render]
    }

    private mutating func handlePrompt(_ key: Key) -> [Effect] {
        guard var text = seedPrompt else { return [] }
        switch key {
        case .escape:
            seedPrompt = nil
            return []
        case .enter:
            seedPrompt = nil
            guard !text.isEmpty else { return [] }
            guard let value = UInt32(text) else {
                status = "seed \(text) is out of range (0...\(UInt32.max))"
                return []
            }
            guard value != seed else { return [] }
            seed = value
            return [.render]
        case .backspace, .delete:
            if !text.isEmpty { text.removeLast() }
        case .char(let c) where c.isASCII && c.isNumber:
            if text.count < ExplorerState.maxSeedDigits { text.append(c) }
        default:
            break
        }
        seedPrompt = text
        return []
    }
}
