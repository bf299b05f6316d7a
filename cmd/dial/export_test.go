package dial

// Update is -update, for the external tests' golden files.
var Update = update

// TestMainEnv makes the test binary run as ivrctl (see TestMain).
const TestMainEnv = testMainEnv
