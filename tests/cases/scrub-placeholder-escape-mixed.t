# The real <EMAIL_1> comes from the value, the escaped one from the input.
%name
scrub-placeholder-escape-mixed
%args
scrub
%stdin
jane.doe@corp.example wrote <EMAIL_1>
%stdout
<EMAIL_1> wrote <\EMAIL_1>
%exit
0
