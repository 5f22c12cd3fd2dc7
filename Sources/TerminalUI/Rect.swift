

/// A rectangle of terminal cells; `y`, `x` are its top-left corner (0-based).
package struct Rect: Equatable, Sendable, CustomStringConvertible {
    package var y: Int
    package var x: Int
    package var height: Int
    package var width: Int

    package init(y: Int, x: Int, height: Int, width: Int) {
        self.y = y
        self.x = x
        self.height = height
        self.width = width
    }

    package var isEmpty: Bool { height <= 0 || width <= 0 }
    package var description: String { "Rect(y: \(y), x: \(x), \(height)x\(width))" }
}
