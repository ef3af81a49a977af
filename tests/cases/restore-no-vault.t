%name
restore-no-vault
%args
restore
%stdin
<EMAIL_1>
%stderr
blackbar: restore: --vault FILE is required
%exit
2
