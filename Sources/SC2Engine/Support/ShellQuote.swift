/// A word for a POSIX shell command line: left as it is when it holds only characters no shell
/// treats specially, else in single quotes (a quote inside written '\''). The one place the
/// package quotes what it writes for a shell (Slurm scripts, the explorer's reproduce line).
package enum ShellQuote {
    package static func word(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) } && !s.isEmpty
            ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `words`, each quoted, separated by spaces.
    package static func line(_ words: [String]) -> String { words.map(word).joined(separator: " ") }
}
