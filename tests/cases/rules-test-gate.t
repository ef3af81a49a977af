# Regression: the "search every position" pass of rules test ignored
# gates, so a gated rule's nomatch example outside its gate was reported
# as a match the gate missed ("FAIL pin-in-block: 1 examples found only
# when every position is searched"). A gate is meaning, not a speed-up.
%name
rules-test-gate
%args
rules test fixtures/gate-pack.json
%stdout
3 passed, 0 failed
%exit
0
