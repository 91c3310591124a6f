// Code that imports Model to read a checkpoint also reads JSON with the same types (the
// CLI's `--config` file goes through `JSONParser` and `JSONValue`), so Model hands the JSON
// module on to its importers instead of each of them naming it. Drop this once every such
// file imports JSON itself.
@_exported import JSON
