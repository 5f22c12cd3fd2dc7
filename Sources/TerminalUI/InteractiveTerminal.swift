

/// A terminal an interactive program runs on: a surface plus keys and its life cycle.
package protocol InteractiveTerminal: TerminalSurface {
    /// A line to show the user when pictures fall back to ASCII shading; nil otherwise.
    var fallbackNotice: String? { get }
    /// Takes over the terminal (raw keys, no echo, alternate screen).
    func start() throws
    /// Gives the terminal back. Safe to call more than once.
    func stop()
    /// Waits up to `timeoutMs` ms (negative: forever) for a key; `.none` on timeout.
    func getKey(timeoutMs: Int) -> Key
}
