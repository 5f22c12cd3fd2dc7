/// Text attributes for `TerminalSurface.put`.
public struct TextStyle: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = TextStyle(rawValue: 1)
    public static let reverse = TextStyle(rawValue: 2)
    public static let dim = TextStyle(rawValue: 4)
    public static let underline = TextStyle(rawValue: 8)
}
