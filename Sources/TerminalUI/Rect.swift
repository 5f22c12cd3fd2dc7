

/// A rectangle of terminal cells; `y`, `x` are its top-left corner (0-based).
public struct Rect: Equatable, Sendable, CustomStringConvertible {
    public var y: Int
    public var x: Int
    public var height: Int
    public var width: Int

    public init(y: Int, x: Int, height: Int, width: Int) {
        self.y = y
        self.x = x
        self.height = height
        self.width = width
    }

    public var isEmpty: Bool { height <= 0 || width <= 0 }
    public var description: String { "Rect(y: \(y), x: \(x), \(height)x\(width))" }
}
