# Regression: "pin 2222" starts right after the gate match
# "[secrets] x [end]"; it was redacted when the input arrived whole but
# not when it arrived in pieces (the runner's chunk check). A gated match
# must start inside a gate match.
%name
scrub-gate-edge
%args
scrub --no-default-rules --rules fixtures/gate-pack.json
%stdin
[secrets] x [end]pin 2222 after
%stdout
[secrets] x [end]pin 2222 after
%exit
0
