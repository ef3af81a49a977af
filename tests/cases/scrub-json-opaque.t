%name
scrub-json-opaque
%args
scrub --format json
%stdin
{"content":[{"type":"thinking","thinking":"mail j.d@example.net","signature":"EqQBCgIYAhIMj.d@example.net"},{"type":"text","text":"mail j.d@example.net"}],"reasoning":{"encrypted_content":"gAAAAB j.d@example.net"},"model":"j.d@example.net"}
%stdout
{"content":[{"type":"thinking","thinking":"mail j.d@example.net","signature":"EqQBCgIYAhIMj.d@example.net"},{"type":"text","text":"mail <EMAIL_1>"}],"reasoning":{"encrypted_content":"gAAAAB j.d@example.net"},"model":"j.d@example.net"}
%exit
0
