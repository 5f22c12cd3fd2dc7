/// The one place that turns an attribute name into a predictor's output index, and words the
/// error when the name is unknown (every command and stage says it the same way).
public enum AttributeLookup {
    /// The index of `name` among `known`; FaceWorld's spellings ("long hair", "old") are
    /// accepted for FaceWorld's attributes. Throws one line listing the known names.
    public static func index(of name: String, in known: [String]) throws -> Int {
        if let i = known.firstIndex(of: name) { return i }
        if let f = FaceAttribute(name: name), let i = known.firstIndex(of: f.rawValue) { return i }
        throw unknown(name, known: known)
    }

    /// The error for an unknown attribute name (`context`, e.g. "--set", prefixes it).
    public static func unknown(_ name: String, known: [String], context: String? = nil, hint: String? = nil) -> SC2Error {
        let list = known.isEmpty ? (hint ?? "none") : known.joined(separator: ", ")
        return SC2Error("\(context.map { "\($0): " } ?? "")unknown attribute \(name.quotedForMessage) (known: \(list))")
    }
}
