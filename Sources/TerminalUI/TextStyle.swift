/// Text attributes for `TerminalSurface.put`.
package struct TextStyle: OptionSet, Sendable {
    package let rawValue: UInt8
    package init(rawValue: UInt8) { self.rawValue = rawValue }
    package static let bold = TextStyle(rawValue: 1)
    package static let reverse = TextStyle(rawValue: 2)
    package static let dim = TextStyle(rawValue: 4)
    package static let underline = TextStyle(rawValue: 8)
}
