/** Small text and marker files written atomically: offset checkpoints, leader epochs, clean shutdown. */
package io.piste.storage.checkpoint;
