/// The distribution of one figure over a group of councils.
///
/// Quartiles and the median use linear interpolation between closest ranks: for sorted
/// values x[0..n-1] and p in 0...1, h = (n-1)·p and q = x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋]).
/// This is numpy's default (`method="linear"`), R's type 7 and Excel's `QUARTILE.INC`, the
/// most widely reproducible choice. Values are not rounded for presentation; in JSON they are
/// only cleared of binary floating-point noise (see `cleaned`).
public struct FigureSummary: Sendable, Equatable {
    public var count: Int
    public var mean: Double?
    public var median: Double?
    public var q1: Double?
    public var q3: Double?
    public var min: Double?
    public var max: Double?

    public init(_ values: [Double]) {
        count = values.count
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        // Summed in sorted order so the mean does not depend on the order rows arrive in.
        mean = sorted.reduce(0, +) / Double(sorted.count)
        median = FigureSummary.quantile(sorted, 0.5)
        q1 = FigureSummary.quantile(sorted, 0.25)
        q3 = FigureSummary.quantile(sorted, 0.75)
        min = sorted.first
        max = sorted.last
    }

    /// `sorted` must be ascending and non-empty.
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lower = Int(h.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }

    func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("count", count)
        writer.field("mean", FigureSummary.cleaned(mean))
        writer.field("median", FigureSummary.cleaned(median))
        writer.field("q1", FigureSummary.cleaned(q1))
        writer.field("q3", FigureSummary.cleaned(q3))
        writer.field("min", FigureSummary.cleaned(min))
        writer.field("max", FigureSummary.cleaned(max))
        writer.endObject()
    }

    /// Rounded to 9 decimal places: sums of one-decimal figures come out as 5285.299999999999
    /// in binary floating point, which is noise, not precision. Nine places keep every digit any
    /// published input has.
    static func cleaned(_ value: Double?) -> Double? {
        guard let value, value.isFinite, abs(value) < 1e9 else { return value }
        return (value * 1e9).rounded() / 1e9
    }
}
