// The error of a --report file that cannot be written: on its own, so that the exit codes every
// command loads do not load the report's renderer with it.
export class ReportFileError extends Error {}
