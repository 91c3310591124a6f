extension Character {
    /// A line end of a data file: `\n`, or `\r\n` — a single Character in Swift, so splitting a
    /// String at "\n" alone leaves Windows lines joined. Other Unicode line separators
    /// (U+2028, NEL) may occur inside JSON strings and are not line ends here.
    var isLineEnd: Bool { self == "\n" || self == "\r\n" }
}
