# A directory of packs: every *.json in it.
%name
scrub-rules-dir
%args
scrub --no-default-rules -r fixtures/packdir
%stdin
ticket TKT_QWERTYUIOP and EMP-204815
%stdout
ticket <TICKET_1> and EMP-204815
%exit
0
