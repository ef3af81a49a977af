%name
scrub-jsonl-auto
%args
scrub --format auto -v
%stdin
{"prompt":"write to jane.doe@corp.example"}

{"prompt":"again jane.doe@corp.example","id":"jane.doe@corp.example"}
%stdout
{"prompt":"write to <EMAIL_1>"}

{"prompt":"again <EMAIL_1>","id":"jane.doe@corp.example"}
%stderr
blackbar: scrub: <stdin>: format json
%exit
0
