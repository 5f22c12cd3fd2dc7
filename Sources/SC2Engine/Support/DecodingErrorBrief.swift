import Foundation

extension DecodingError {
    /// One short clause for users: which field is missing or has the wrong type, or that the
    /// text is not JSON (Foundation's own descriptions run to several lines of coding paths).
    package var brief: String {
        func path(_ ctx: Context) -> String {
            let p = ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the top level" : "\"\(p)\""
        }
        switch self {
        case .keyNotFound(let key, let ctx):
            let parent = ctx.codingPath.isEmpty ? "" : " in \(path(ctx))"
            return "no \"\(key.stringValue)\" field\(parent)"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx): return "\(path(ctx)) has the wrong type"
        case .dataCorrupted(let ctx): return ctx.codingPath.isEmpty ? "not valid JSON" : "\(path(ctx)) is invalid"
        @unknown default: return "not readable"
        }
    }
}
