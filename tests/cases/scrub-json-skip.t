%name
scrub-json-skip
%args
scrub --format json --json-skip note
%stdin
{"note":"jane.doe@corp.example","text":"jane.doe@corp.example"}
%stdout
{"note":"jane.doe@corp.example","text":"<EMAIL_1>"}
%exit
0
