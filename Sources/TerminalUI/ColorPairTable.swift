/// Hands out ncurses colour pair numbers for (foreground, background) colour numbers.
///
/// A half-block picture needs thousands of pairs, more than a terminal may hold, so the table
/// is rebuilt every frame: call `reset()` before drawing a frame, `pair(fg:bg:)` for each cell,
/// and `takePendingDefinitions()` to learn which pair numbers must be (re)defined with
/// `init_extended_pair` before the next refresh. Pair numbers whose definition is unchanged
/// from an earlier frame are reused without being reported again, so a still picture costs
/// no redefinitions.
///
/// When every pair number is taken within one frame, new requests are answered with an
/// existing pair of similar colours: colours (mapped back to RGB through `mode`) are quantised
/// ever harder, 3, 2, then 1 bit per channel, until a pair of this frame falls in the same
/// bucket. The picture degrades, nothing fails, and each such request costs O(1).
package struct ColorPairTable {
    /// A pair the terminal must be told about.
    package struct Definition: Equatable, Sendable {
        package let pair: Int32
        package let foreground: Int32
        package let background: Int32
        package init(pair: Int32, foreground: Int32, background: Int32) {
            self.pair = pair
            self.foreground = foreground
            self.background = background
        }
    }

    struct Colors: Hashable {
        var fg: Int32
        var bg: Int32
    }

    /// Highest pair number ever handed out (pairs are 1...capacity; 0 is the terminal default).
    package let capacity: Int
    /// Maps colour numbers back to RGB when looking for the nearest pair.
    package let mode: ColorMode

    /// What each pair number is currently defined as in the terminal (index = pair number).
    private var defined: [Colors?]
    /// Colours -> pair number, for every definition the terminal holds.
    private var byColors: [Colors: Int32] = [:]
    /// Frame number in which each pair was last used (index = pair number).
    private var usedInFrame: [UInt32]
    private var frame: UInt32 = 1
    private var usedThisFrame = 0
    /// Next pair number to try when one must be (re)defined.
    private var cursor = 1
    /// Requests answered by approximation this frame (so repeats are cheap).
    private var approximated: [Colors: Int32] = [:]
    /// Coarse buckets of this frame's pairs, one table per level (3, 2, 1 bits per channel);
    /// built once, when the frame first runs out of pairs.
    private var buckets: [[Bucket: Int32]] = []
    private var pending: [Definition] = []

    /// A table of pairs 1...`capacity` (at least 1); callers pass `min(COLOR_PAIRS - 1, 32767)`.
    package init(capacity: Int, mode: ColorMode) {
        self.capacity = max(1, capacity)
        self.mode = mode
        self.defined = Array(repeating: nil, count: self.capacity + 1)
        self.usedInFrame = Array(repeating: 0, count: self.capacity + 1)
    }

    /// Number of distinct pairs in use in the current frame.
    package var pairsInUse: Int { usedThisFrame }
    /// Number of requests answered with an approximate pair in the current frame.
    package private(set) var approximations = 0

    /// Starts a new frame: every pair becomes free for reuse (definitions stay known, so
    /// asking again for the same colours returns the same pair without redefining it).
    package mutating func reset() {
        frame &+= 1
        if frame == 0 {  // wrapped: forget frame stamps
            usedInFrame = Array(repeating: 0, count: capacity + 1)
            frame = 1
        }
        usedThisFrame = 0
        approximations = 0
        approximated.removeAll(keepingCapacity: true)
        buckets.removeAll()
    }

    /// The pair number showing `fg` on `bg` (colour numbers as from `ColorMode.colorNumber`).
    package mutating func pair(fg: Int32, bg: Int32) -> Int32 {
        let key = Colors(fg: fg, bg: bg)
        if let p = byColors[key] {
            markUsed(Int(p))
            return p
        }
        if let p = approximated[key] { return p }
        if let p = freePair() {
            if let old = defined[p] { byColors[old] = nil }
            defined[p] = key
            byColors[key] = Int32(p)
            markUsed(p)
            pending.append(Definition(pair: Int32(p), foreground: fg, background: bg))
            return Int32(p)
        }
        let p = nearestPair(to: key)
        approximated[key] = p
        approximations += 1
        return p
    }

    /// The definitions made since the last call, in order; the caller passes each to
    /// `init_extended_pair` (a pair may appear twice if redefined: apply them in order).
    package mutating func takePendingDefinitions() -> [Definition] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    private mutating func markUsed(_ p: Int) {
        if usedInFrame[p] != frame {
            usedInFrame[p] = frame
            usedThisFrame += 1
        }
    }

    /// A pair number not used in this frame, taken round robin (so the pairs of the previous
    /// frame are overwritten as late as possible).
    private mutating func freePair() -> Int? {
        guard usedThisFrame < capacity else { return nil }
        // Some pair is free this frame; scan round robin from the cursor (amortised O(1) in a
        // frame, since the cursor only passes over pairs used in the same frame).
        while true {
            let p = cursor
            cursor = cursor == capacity ? 1 : cursor + 1
            if usedInFrame[p] != frame { return p }
        }
    }

    struct Bucket: Hashable {
        var fg: Int32
        var bg: Int32
    }

    /// Channel shifts of the bucket levels: 3, 2 and 1 bits kept per channel.
    private static let bucketShifts: [UInt8] = [5, 6, 7]

    private func bucketValue(_ color: Int32, shift: UInt8) -> Int32 {
        guard let c = mode.rgb(forColorNumber: color) else { return -1 }
        return Int32(c.r >> shift) << 16 | Int32(c.g >> shift) << 8 | Int32(c.b >> shift)
    }

    private func bucket(_ key: Colors, shift: UInt8) -> Bucket {
        Bucket(fg: bucketValue(key.fg, shift: shift), bg: bucketValue(key.bg, shift: shift))
    }

    /// A pair in use this frame with colours similar to `key`: the first one sharing its
    /// bucket at the finest level that has one; pair 1 if nothing is similar at all.
    private mutating func nearestPair(to key: Colors) -> Int32 {
        if buckets.isEmpty {
            buckets = ColorPairTable.bucketShifts.map { _ in [:] }
            for p in 1...capacity where usedInFrame[p] == frame {
                guard let c = defined[p] else { continue }
                for (level, shift) in ColorPairTable.bucketShifts.enumerated() {
                    let b = bucket(c, shift: shift)
                    if buckets[level][b] == nil { buckets[level][b] = Int32(p) }
                }
            }
        }
        for (level, shift) in ColorPairTable.bucketShifts.enumerated() {
            if let p = buckets[level][bucket(key, shift: shift)] { return p }
        }
        return 1
    }
}
