# A gated rule redacts only inside its gate's matches; the gate match
# itself is not redacted.
%name
scrub-gate
%args
scrub --no-default-rules --rules fixtures/gate-pack.json
%stdin
pin 1111 before, [secrets] user x pin 2222 [end], pin 3333 after
%stdout
pin 1111 before, [secrets] user x <PIN_1> [end], pin 3333 after
%exit
0
