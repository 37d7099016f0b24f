class MatrixReporter {
  onRunComplete() {}
}
module.exports = MatrixReporter;
