%name
rules-test-failing
%args
rules test fixtures/bad-examples.json
%stdout
FAIL wrong-example: 1 of 3 examples wrong (first: match example 2)
1 passed, 1 failed
%exit
1
