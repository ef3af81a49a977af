%name
scan-stdin-allow
%args
scan -q -
%stdin
a = "ada.lovelace@example-corp.test"  # blackbar:allow
b = "ada.lovelace@example-corp.test"  # blackbar:allow:github-token
c = "ada.lovelace@example-corp.test"  # blackbar:allow:EMAIL
d = "ghp_Q2hhcmxlc0JhYmJhZ2VEaWZmZXJlbmNlRW5n"  # blackbar:allow:x,github-token
%stdout
-:2:6: email: ada****…est
%exit
1
