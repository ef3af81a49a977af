# The runner sets BLACKBAR_KEY=test: hashes are stable.
%name
scrub-op-hash
%args
scrub -o hash
%stdin
mail jane.doe@corp.example and jane.doe@corp.example, not john.roe@corp.example
%stdout
mail <EMAIL_73a5659d> and <EMAIL_73a5659d>, not <EMAIL_4fa5290b>
%exit
0
