import Testing

@testable import GHWHReport

@Suite struct DurationBinsTests {
    @Test func edgesAreTheAgreedLogScale() {
        let day = 86_400.0
        #expect(
            DurationBins.edges == [
                0, 60, 600, 3_600, 21_600, day, 3 * day, 7 * day, 14 * day, 30 * day, 90 * day, 180 * day, 365 * day,
            ])
        #expect(DurationBins.count == 13)
        #expect(zip(DurationBins.edges, DurationBins.edges.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func labelsMatchBins() {
        let labels = (0..<DurationBins.count).map(DurationBins.label(forBinAt:))
        #expect(labels.first == "< 1 min")
        #expect(labels[1] == "1–10 min")
        #expect(labels[5] == "1–3 d")
        #expect(labels.last == "> 1 y")
        #expect(Set(labels).count == DurationBins.count)
        #expect(DurationBins.label(forBinAt: -1) == "< 1 min")
        #expect(DurationBins.label(forBinAt: 99) == "> 1 y")
    }

    @Test func indexAgreesWithPostgresWidthBucket() {
        // width_bucket(v, edges) = number of edges <= v; our index is that minus one.
        func widthBucket(_ v: Double) -> Int { DurationBins.edges.filter { $0 <= v }.count }
        var probes: [Double] = [0, 0.5, 59.999, 1e12]
        for e in DurationBins.edges { probes += [e, e - 0.001, e + 0.001].filter { $0 >= 0 } }
        for v in probes {
            #expect(DurationBins.index(for: v) == widthBucket(v) - 1, "\(v)")
        }
        for i in DurationBins.edges.indices {
            #expect(DurationBins.index(for: DurationBins.edges[i]) == i)
            if i > 0 { #expect(DurationBins.index(for: DurationBins.edges[i] - 0.001) == i - 1) }
        }
    }

    @Test func oddValuesClampIntoRange() {
        #expect(DurationBins.index(for: -5) == 0)
        #expect(DurationBins.index(for: .nan) == 0)
        #expect(DurationBins.index(for: .infinity) == DurationBins.count - 1)
    }

    @Test func histogramsCountValuesAndCarryLabels() {
        let bins = DurationBins.histogram(of: [1, 59, 60, 3_600, 400 * 86_400, -3])
        #expect(bins.count == DurationBins.count)
        #expect(bins.map(\.count) == [3, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(bins.last?.upperSeconds == nil)
        #expect(bins[1].lowerSeconds == 60 && bins[1].upperSeconds == 600)
        #expect(bins.map(\.label) == (0..<DurationBins.count).map(DurationBins.label(forBinAt:)))
        #expect(DurationBins.histogram(counts: [5, 6]).map(\.count).prefix(3) == [5, 6, 0])
        #expect(HistogramBin(lowerSeconds: 120, upperSeconds: 7_200, count: 1).label == "2m–2h")
        #expect(HistogramBin(lowerSeconds: 86_400, upperSeconds: nil, count: 1).label == "≥ 1d")
    }
}
