/**
 * The MindSpore release this facade mirrors, behaviour by behaviour: every check, message and
 * quirk is read from MindSpore's source at the tag `v${MINDSPORE_RELEASE}` (tests cite
 * `file@v2.6.0:line`). mapping.json's MindSpore signatures and API links name the same release
 * (a test holds them to this constant), and its `versionNotes` say where older releases behave
 * differently.
 */
export const MINDSPORE_RELEASE = '2.6.0';
