import Foundation
import SC2Engine

/// How an export went, for the footer.
struct ExportOutcome: Sendable {
    let message: String
    let files: [URL]
    let failed: Bool
}
