/// The one place that turns an attribute name into a predictor's output index, and words the
/// error when the name is unknown (every command and stage says it the same way).
package enum AttributeLookup {
    /// The index of `name` among `known`: the exact spelling first, then FaceWorld's spellings
    /// ("long hair", "old") for FaceWorld's attributes, then any spelling that differs only in
    /// case ("smiling" for CelebA's "Smiling") when exactly one output matches. Throws one line
    /// listing the known names.
    package static func index(of name: String, in known: [String]) throws -> Int {
        if let i = known.firstIndex(of: name) { return i }
        if let f = FaceAttribute(name: name), let i = known.firstIndex(of: f.rawValue) { return i }
        let folded = name.lowercased()
        let matches = known.indices.filter { known[$0].lowercased() == folded }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw SC2Error("attribute \(name.quotedForMessage) is ambiguous: \(matches.map { known[$0].quotedForMessage }.joined(separator: " and ")) differ only in case")
        }
        throw unknown(name, known: known)
    }

    /// The error for an unknown attribute name (`context`, e.g. "--set", prefixes it).
    package static func unknown(_ name: String, known: [String], context: String? = nil, hint: String? = nil) -> SC2Error {
        let list = known.isEmpty ? (hint ?? "none") : known.joined(separator: ", ")
        return SC2Error("\(context.map { "\($0): " } ?? "")unknown attribute \(name.quotedForMessage) (known: \(list))")
    }
}
