# --key-file holds "test", the same key as BLACKBAR_KEY in the runner.
%name
scrub-op-hash-key-file
%args
scrub --key-file fixtures/key.txt -o hash
%stdin
mail jane.doe@corp.example
%stdout
mail <EMAIL_73a5659d>
%exit
0
