%name
scrub-json-only
%args
scrub --format json --json-only messages[*].content
%stdin
{"user":"jane.doe@corp.example","messages":[{"content":"jane.doe@corp.example"}]}
%stdout
{"user":"jane.doe@corp.example","messages":[{"content":"<EMAIL_1>"}]}
%exit
0
