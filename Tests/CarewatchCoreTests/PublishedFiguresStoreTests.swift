import Foundation
import TestFixtures
import XCTest
@testable import CarewatchCore

/// Published figures and neighbour lists as store records: the rules their changes obey,
/// and that they (and workforce rows' suppression symbols) survive the journal and snapshots.
final class PublishedFiguresStoreTests: XCTestCase {
    static let kingston = sampleCouncil("E09000021", la: 314, name: "Kingston upon Thames", region: .london, kind: .londonBorough)
    static let richmond = sampleCouncil("E09000027", la: 318, name: "Richmond upon Thames", region: .london, kind: .londonBorough)

    static var records: [Change] {
        [
            .putCouncil(sampleCouncil()), .putCouncil(kingston), .putCouncil(richmond),
            .putWorkforce(WorkforceYear(council: "sandwell", year: 2025, employedFTE: 269.9, leaversFTE: nil, turnoverRate: nil,
                                        suppressed: ["leavers_fte": "u", "turnover_rate": "u"])),
            .putFigures(FigureRow(dataset: "children_in_need", area: "333", level: .localAuthority, year: 2025,
                                  values: ["cin_count": 3550], source: "b1.csv")),
            .putFigures(FigureRow(dataset: "workforce", area: "kingston-upon-thames / E09000027", level: .localAuthority, name: "Kingston / Richmond",
                                  year: 2025, values: ["agency_rate": 14.9], suppressed: ["absence_rate": "c"])),
            .putFigures(FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, name: "England", year: 2025,
                                  values: ["agency_rate": 13], suppressed: ["asye_share": "z"])),
            .putNeighbours(NeighbourList(model: "2021", laCode: 333, name: "Sandwell",
                                         neighbours: [.init(laCode: 909, closeness: "Very close"), .init(laCode: 314, closeness: nil)], source: "sn.csv")),
        ]
    }

    func testRecordsSurviveTheJournalAndSnapshots() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        _ = try store.apply(Self.records)
        let expected = store.state
        // Names resolve to current codes, the joint return's members included.
        XCTAssertNotNil(expected.figures(dataset: "children_in_need", area: "E08000028", year: 2025))
        XCTAssertNotNil(expected.figures(dataset: "workforce", area: "E09000021 / E09000027", year: 2025))
        XCTAssertEqual(expected.figureCount, 3)
        XCTAssertEqual(expected.neighbourListCount, 1)
        XCTAssertEqual(expected.jointReturn(containing: "E09000027", dataset: "workforce", year: 2025)?.values["agency_rate"], 14.9)
        XCTAssertEqual(expected.workforce(council: "E08000028", year: 2025)?.suppressed, ["leavers_fte": "u", "turnover_rate": "u"])

        func assertSame(_ state: StoreState, _ label: String) {
            XCTAssertEqual(state.figuresAll(), expected.figuresAll(), label)
            XCTAssertEqual(state.neighbourListsAll(), expected.neighbourListsAll(), label)
            XCTAssertEqual(state.workforceAll(), expected.workforceAll(), label)
            XCTAssertEqual(state.jointReturnAreas(containing: "E09000021"), ["E09000021 / E09000027"], label)
        }
        let image = try crashImage(of: directory)
        let fromJournal = try Store.open(path: image, options: quietOptions())
        assertSame(fromJournal.state, "journal")
        fromJournal.close()
        store.close()
        let fromSnapshot = try Store.open(path: directory, options: quietOptions())
        XCTAssertFalse(files(in: directory, prefix: "snapshot-").isEmpty)
        assertSame(fromSnapshot.state, "snapshot")
        // Versions are the commit's sequence, like every record's.
        XCTAssertEqual(fromSnapshot.state.figures(dataset: "workforce", area: AreaCode.england, year: 2025)?.version, 1)

        // Deletions are journalled too.
        _ = try fromSnapshot.apply([.deleteFigures(FigureKey(dataset: "children_in_need", area: "sandwell", year: 2025)),
                                    .deleteNeighbours(model: "2021", laCode: 333)])
        let afterDelete = try crashImage(of: directory)
        fromSnapshot.close()
        let reopened = try Store.open(path: afterDelete, options: quietOptions())
        XCTAssertNil(reopened.state.figures(dataset: "children_in_need", area: "E08000028", year: 2025))
        XCTAssertEqual(reopened.state.neighbourListCount, 0)
        XCTAssertEqual(reopened.state.figureCount, 2)
        reopened.close()
    }

    /// Snapshots of a million rows load through the fast stored-row decoder; rows with DfE's
    /// symbols must take it too, not fall back to the general decoder.
    func testStoredRowsWithSymbolsTakeTheFastDecoder() throws {
        for suppressed in [[:], ["leavers_fte": "u", "turnover_rate": "u"], ["agency_rate": "low"]] as [[String: String]] {
            let row = WorkforceYear(council: "E08000028", year: 2025, employedFTE: 269.9, suppressed: suppressed, version: 7)
            var writer = JSONWriter()
            row.writeStorageJSON(into: &writer)
            let bytes = writer.bytes
            let fast = bytes.withUnsafeBufferPointer { buffer -> WorkforceYear? in
                var parser = Parser(bytes: buffer)
                return WorkforceYear.decodeStored(&parser)
            }
            XCTAssertEqual(fast, row, String(decoding: bytes, as: UTF8.self))
            XCTAssertEqual(try WorkforceYear(json: JSONParser.parse(bytes), storage: true), row)
        }
    }

    func testStoreRules() throws {
        var state = StoreState()
        _ = try state.apply(Array(Self.records.prefix(3)), sequence: 1, at: Timestamp(secondsSince1970: 0))
        func refused(_ change: Change, _ field: String, file: StaticString = #filePath, line: UInt = #line) {
            var copy = state
            XCTAssertThrowsError(try copy.apply([change], sequence: 2, at: Timestamp(secondsSince1970: 0)), file: file, line: line) { error in
                XCTAssertEqual((error as? ValidationError)?.errors.first?.field, field, "\(error)", file: file, line: line)
            }
        }
        func refusedAt(_ change: Change, today: CalendarDate, field: String, file: StaticString = #filePath, line: UInt = #line) {
            var copy = state
            XCTAssertThrowsError(try copy.apply([change], sequence: 9, at: Timestamp(secondsSince1970: 0), today: today), file: file, line: line) { error in
                XCTAssertEqual((error as? ValidationError)?.errors.first?.field, field, "\(error)", file: file, line: line)
            }
        }
        refused(.putFigures(FigureRow(dataset: "children_in_need", area: "E06000099", level: .localAuthority, year: 2025)), "area")
        refused(.putFigures(FigureRow(dataset: "nonsense", area: "E08000028", level: .localAuthority, year: 2025)), "dataset")
        refused(.putFigures(FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, year: 2025)), "values")
        refused(.putFigures(FigureRow(dataset: "workforce", area: "E08000028", level: .national, year: 2025)), "area")
        refused(.putFigures(FigureRow(dataset: "workforce", area: "E13000003", level: .regional, year: 2025)), "area")
        refused(.putFigures(FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, year: 2025, values: ["agency_rate": 140])), "values.agency_rate")
        refused(.putFigures(FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, year: 2025, values: ["cin_count": 1])), "values.cin_count")
        refused(.putFigures(FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, year: 2025, suppressed: ["agency_rate": "?"])), "suppressed.agency_rate")
        refused(.putFigures(FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, year: 2025, values: ["agency_rate": 1],
                                      suppressed: ["agency_rate": "u"])), "values.agency_rate")
        refused(.putWorkforce(WorkforceYear(council: "sandwell", year: 2025, agencyRate: 10, suppressed: ["agency_rate": "u"])), "agency_rate")
        refused(.putWorkforce(WorkforceYear(council: "sandwell", year: 2025, suppressed: ["morale": "u"])), "suppressed.morale")
        refused(.putNeighbours(NeighbourList(model: "2025", laCode: 333, neighbours: [.init(laCode: 333, closeness: nil)])), "neighbours[0].la_code")
        refused(.putNeighbours(NeighbourList(model: "Twenty", laCode: 333, neighbours: [.init(laCode: 336, closeness: nil)])), "model")
        refused(.deleteFigures(FigureKey(dataset: "workforce", area: AreaCode.england, year: 2025)), "area")
        refused(.deleteNeighbours(model: "2025", laCode: 333), "la_code")

        // A put of what is held changes nothing: no change applied, no new version.
        _ = try state.apply(Array(Self.records.dropFirst(3)), sequence: 2, at: Timestamp(secondsSince1970: 0))
        let again = try state.apply(Array(Self.records.dropFirst(4)), sequence: 3, at: Timestamp(secondsSince1970: 0))
        XCTAssertEqual(again, [], "figures, neighbour lists and a workforce row with symbols, all as held")
        XCTAssertEqual(state.figures(dataset: "workforce", area: AreaCode.england, year: 2025)?.version, 2)
        var revised = FigureRow(dataset: "workforce", area: AreaCode.england, level: .national, name: "England", year: 2025,
                                values: ["agency_rate": 13], suppressed: ["asye_share": "x"])
        XCTAssertEqual(try state.apply([.putFigures(revised)], sequence: 4, at: Timestamp(secondsSince1970: 0)).count, 1, "a symbol that changes is a change")
        revised.year = 2099
        refusedAt(.putFigures(revised), today: CalendarDate(year: 2026, month: 1, day: 1)!, field: "year")

        // Deleting a council takes its rows and the joint returns it was part of.
        _ = try state.apply([.deleteCouncil(code: "E09000027")], sequence: 5, at: Timestamp(secondsSince1970: 0))
        XCTAssertNil(state.figures(dataset: "workforce", area: "E09000021 / E09000027", year: 2025))
        XCTAssertEqual(state.jointReturnAreas(containing: "E09000021"), [])
        _ = try state.apply([.deleteCouncil(code: "E08000028")], sequence: 6, at: Timestamp(secondsSince1970: 0))
        XCTAssertEqual(state.figuresAll().map(\.area), [AreaCode.england])
        XCTAssertEqual(state.neighbourListCount, 1, "a model's list stays: it is DfE's, not the council's")
    }

    /// A data directory from before published figures existed gains the embedded ones (for
    /// the councils it holds) on its next start with the embedded data, once.
    func testAnOlderDataDirectoryGainsTheEmbeddedFigures() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let old = try Store.open(path: directory, options: quietOptions())
        _ = try old.apply([.putCouncil(sampleCouncil())])
        old.close()
        let upgraded = try Store.open(path: directory, options: quietOptions(seed: true))
        let state = upgraded.state
        XCTAssertEqual(state.councilCount, 1)
        XCTAssertEqual(state.neighbourListCount, 309)
        XCTAssertNotNil(state.figures(dataset: "children_in_need", area: "E08000028", year: 2025))
        XCTAssertNotNil(state.figures(dataset: "workforce", area: AreaCode.england, year: 2025))
        XCTAssertNil(state.figures(dataset: "children_in_need", area: "E08000031", year: 2025), "no council, no rows")
        XCTAssertEqual(state.workforceCount, 0, "its own records are left as they are")
        let generation = state.generation
        upgraded.close()
        let again = try Store.open(path: directory, options: quietOptions(seed: true))
        XCTAssertEqual(again.state.generation, generation, "nothing added twice")
        again.close()
    }

    /// The mapper is the catalogue's table, not code per file: a later release with more
    /// years and the same columns loads; a cell that is neither number nor symbol is refused.
    func testATidyFileOfALaterYearLoadsByItsColumns() throws {
        let councils = SeedData.defaultDocument().councils
        let text = """
            time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,category,Anypoint_episodes,Anypoint_child,Started_episodes,Started_child,Ended_episodes,Ended_child,At31_episodes,awaiting_assessment
            2026,Reporting year,National,E92000001,England,,,,,,Children in Need,1,1,1,1,1,1,400000,1
            2026,Reporting year,Regional,E92000001,England,E12000005,West Midlands,,,,Children in Need,1,1,1,1,1,1,50000,1
            2026,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,333,E08000028,Sandwell,Children in Need,1,1,1,1,1,1,c,1
            2026,Reporting year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,370,E08000016,Barnsley,Children in Need,1,1,1,1,1,1,1500,1
            2026,Reporting year,Local authority,E92000001,England,E12000002,North West,909,E10000006,Cumbria,Children in Need,1,1,1,1,1,1,2000,1
            2026,Reporting year,Local authority district,E92000001,England,E12000002,North West,,E07000026,Allerdale,Children in Need,1,1,1,1,1,1,2,1

            """
        let document = try Importer.parse(Array(text.utf8), as: .csv, existing: ImportContext(councils: councils), sourceName: "b1_children_in_need_2013_to_2026.csv")
        XCTAssertEqual(document.format, .dfeTidyCSV)
        XCTAssertEqual(document.figures.map(\.area), [AreaCode.england, "E12000005", "E08000028", "E08000038"])
        XCTAssertEqual(document.figures[2].suppressed, ["cin_count": "c"])
        XCTAssertEqual(document.figures[3].values, ["cin_count": 1500])
        XCTAssertTrue(document.figures.allSatisfy { $0.source == "b1_children_in_need_2013_to_2026.csv" && $0.year == 2026 })
        XCTAssertEqual(document.skipped.map(\.row), [6, 7])
        XCTAssertTrue(document.skipped[0].reason.contains("abolished 1 April 2023; succeeded by Cumberland and Westmorland and Furness"))

        let bad = text.replacingOccurrences(of: "Sandwell,Children in Need,1,1,1,1,1,1,c,1", with: "Sandwell,Children in Need,1,1,1,1,1,1,n/a,1")
        XCTAssertThrowsError(try Importer.parse(Array(bad.utf8), as: .csv, existing: ImportContext(councils: councils))) { error in
            let issue = (error as? ImportError)?.issues.first
            XCTAssertEqual(issue?.row, 4)
            XCTAssertEqual(issue?.field, "At31_episodes")
        }
        let notAYear = text.replacingOccurrences(of: "2026,Reporting year,National", with: "202526,Reporting year,National")
        XCTAssertThrowsError(try Importer.parse(Array(notAYear.utf8), as: .csv, existing: ImportContext(councils: councils))) { error in
            XCTAssertEqual((error as? ImportError)?.issues.first?.field, "time_period")
        }
    }

    func testNeighbourFilesInBothLayouts() throws {
        let text2021 = "LA num,LA Name,LA number,GOInd,GOReg,SN1,SNP,SN2,SNP,\n333,Sandwell,333,8,West Midlands,336,Very Close,909,Close ,\n,,,,,,,,,\n,Old SNs:,,,,,,,,\n"
        let document = try Importer.parse(Array(text2021.utf8), as: .csv, existing: ImportContext(), sourceName: "Groupings_April_2021.csv")
        XCTAssertEqual(document.format, .neighboursCSV)
        XCTAssertEqual(document.neighbours, [NeighbourList(model: "2021", laCode: 333, name: "Sandwell",
                                                            neighbours: [.init(laCode: 336, closeness: "Very close"), .init(laCode: 909, closeness: "Close")],
                                                            source: "Groupings_April_2021.csv")])
        XCTAssertEqual(document.skipped.count, 1, "the 'Old SNs:' heading")
        let text2025 = "old_la_code,la_name,region_ind,region_name,SN_1,SN_1P,SN_2,SN_2P\n333,Sandwell,8,West Midlands,336,Very close,810,Close \n"
        let explicit = try Importer.parse(Array(text2025.utf8), as: .csv, existing: ImportContext(), neighbourModel: "2025b")
        XCTAssertEqual(explicit.neighbours.first?.model, "2025b")
        XCTAssertEqual(explicit.neighbours.first?.neighbours.map(\.closeness), ["Very close", "Close"])
        XCTAssertEqual(NeighbourImport.model(fromFileName: "sn_model_2025_wide.csv"), "2025")
        XCTAssertNil(NeighbourImport.model(fromFileName: "neighbours.csv"))
        XCTAssertThrowsError(try Importer.parse(Array(text2025.utf8), as: .csv, existing: ImportContext())) { error in
            XCTAssertEqual((error as? ImportError)?.issues.first?.field, "model")
        }
    }
}
