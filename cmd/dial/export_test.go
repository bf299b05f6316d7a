package dial

// Golden compares with testdata/dial/NAME.golden (-update rewrites it),
// for the external tests.
var Golden = golden

// TestMainEnv makes the test binary run as ivrctl (see TestMain).
const TestMainEnv = testMainEnv
