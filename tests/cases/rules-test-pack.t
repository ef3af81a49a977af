%name
rules-test-pack
%args
rules test fixtures/pack-small.json fixtures/packdir/tickets.json
%stdout
4 passed, 0 failed
%exit
0
