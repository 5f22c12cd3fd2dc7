import ArgumentParser

/// Range checks for numeric options: one line naming the flag, the allowed range and why, before
/// any work starts (a huge count would otherwise fail an allocation or an integer conversion
/// deep inside the engine).
enum OptionCheck {
    static func range<T: Comparable>(_ value: T, _ allowed: ClosedRange<T>, _ flag: String, _ why: String? = nil) throws {
        guard allowed.contains(value) else {
            throw ValidationError("\(flag) must be from \(allowed.lowerBound) to \(allowed.upperBound)\(why.map { " (\($0))" } ?? ""); got \(value)")
        }
    }

    static func finite<T: BinaryFloatingPoint>(_ value: T, _ flag: String, positive: Bool = false) throws {
        guard value.isFinite, !positive || value > 0 else {
            throw ValidationError("\(flag) must be a \(positive ? "positive" : "finite") number")
        }
    }
}
