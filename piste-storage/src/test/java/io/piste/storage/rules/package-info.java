/** Build rules every module checks on itself: the package rules and the source file size limit. */
package io.piste.storage.rules;
