%name
scan-stdin-text
%args
scan -q -
%stdin
config:
  owner: ada.lovelace@example-corp.test
  token: ghp_Q2hhcmxlc0JhYmJhZ2VEaWZmZXJlbmNlRW5n
  note: nothing else here
%stdout
-:2:10: email: ada****…est
-:3:10: github-token: ghp_****…RW5n
%exit
1
