# SDK, ABI and header tests
