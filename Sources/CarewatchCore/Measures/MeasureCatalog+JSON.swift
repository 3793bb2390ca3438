/// The measure dictionary as `GET /v1/measures` serves it: the catalogue, with the years the
/// store holds for each measure.
extension MeasureCatalog {
    public static func writeDictionary(_ state: StoreState, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for measure in measures { writeMeasure(measure, state: state, into: &writer) }
        writer.endArray()
        writer.field("total", measures.count)
        writer.key("datasets")
        writer.beginArray()
        for dataset in datasets {
            writer.beginObject()
            writer.field("id", dataset.id)
            writer.field("title", dataset.title)
            writer.field("publisher", dataset.publisher)
            writer.field("publication", dataset.publication)
            writer.field("file", dataset.file)
            writer.key("measures")
            writer.beginArray()
            for measure in measures(in: dataset.id) { writer.value(measure.id) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.key("symbols")
        writer.beginArray()
        for (symbol, meaning) in SuppressionSymbol.meanings {
            writer.beginObject()
            writer.field("symbol", symbol)
            writer.field("meaning", meaning)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    public static func writeMeasure(_ measure: Measure, state: StoreState, into writer: inout JSONWriter) {
        let dataset = self.dataset(measure.dataset)
        writer.beginObject()
        writer.field("id", measure.id)
        writer.field("label", measure.label)
        writer.field("description", measure.description)
        writer.field("unit", measure.unit.rawValue)
        writer.field("decimals", measure.decimals)
        writer.field("direction", measure.direction.rawValue)
        writer.field("rank_order", measure.rankOrder)
        writer.field("period", measure.period.rawValue)
        writer.field("dataset", measure.dataset)
        writer.key("publication")
        writer.beginObject()
        writer.field("publisher", dataset?.publisher)
        writer.field("title", dataset?.publication)
        writer.field("table", dataset?.title)
        writer.field("file", dataset?.file)
        switch measure.origin {
        case .published(let column, let filter):
            writer.field("column", column)
            writer.key("filter")
            if let filter {
                writer.beginObject()
                writer.field(filter.column, filter.value)
                writer.endObject()
            } else {
                writer.null()
            }
        case .ratePer10000, .notPublished:
            writer.field("column", nil as String?)
            writer.field("filter", nil as String?)
        }
        writer.endObject()
        writer.key("years")
        writer.beginArray()
        for year in state.years(of: measure) { writer.value(year) }
        writer.endArray()
        writer.field("source", measure.isComputed ? "computed" : "published")
        writer.field("computation", measure.computation)
        writer.key("inputs")
        writer.beginArray()
        for input in measure.inputs { writer.value(input) }
        writer.endArray()
        writer.field("pooling", measure.poolingDescription)
        writer.endObject()
    }
}
